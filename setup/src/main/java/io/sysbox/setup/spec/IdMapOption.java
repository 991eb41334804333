package io.sysbox.setup.spec;

import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;

import java.util.List;

/**
 * The value of {@code sysbox-runc spec --id-map "UID GID SIZE"}: container ids 0..SIZE-1 map to
 * host uids UID.. and host gids GID... The same rules as for mappings found in a spec apply, so
 * {@code spec} never writes a config.json that {@code create} would refuse.
 */
public record IdMapOption(IdMapping uid, IdMapping gid) {

    public static IdMapOption parse(String text) throws InvalidSpecException {
        String[] fields = text.strip().split("\\s+");
        if (fields.length != 3) {
            throw new InvalidSpecException("--id-map \"" + text + "\": expected three numbers \"UID GID SIZE\""
                    + " (host uid, host gid, number of ids), e.g. --id-map \"100000 100000 65536\"");
        }
        long[] values = new long[3];
        for (int i = 0; i < 3; i++) {
            try {
                values[i] = Long.parseLong(fields[i]);
            } catch (NumberFormatException e) {
                throw new InvalidSpecException("--id-map \"" + text + "\": \"" + fields[i] + "\" is not a number;"
                        + " expected \"UID GID SIZE\", e.g. --id-map \"100000 100000 65536\"");
            }
        }
        IdMapping uid = new IdMapping(0, values[0], values[2]);
        IdMapping gid = new IdMapping(0, values[1], values[2]);
        ExplicitMappings checked = ExplicitMappings.check(List.of(uid), List.of(gid),
                "--id-map uid range", "--id-map gid range");
        return new IdMapOption(checked.uid(), checked.gid());
    }
}
