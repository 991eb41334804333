package io.sysbox.setup.container;

import io.sysbox.common.oci.InvalidSpecException;

import java.util.regex.Pattern;

/** Container ids name directories: the same rule as runc's. */
public final class ContainerId {
    private static final Pattern VALID = Pattern.compile("^[\\w+\\-.]+$");

    private ContainerId() {}

    public static void check(String id) throws InvalidSpecException {
        if (id.isEmpty() || id.equals(".") || id.equals("..") || !VALID.matcher(id).matches()) {
            throw new InvalidSpecException("invalid container id \"" + id
                    + "\": use letters, digits, and _ + - . only");
        }
    }
}
