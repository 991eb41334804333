package io.sysbox.mgr.service;

import java.util.regex.Pattern;

/** Container ids become file names under the data root, so they must be plain names. */
final class ContainerIds {
    /** runc's own rule for ids. */
    private static final Pattern VALID = Pattern.compile("[\\w+.-]+");

    private ContainerIds() {}

    static String check(String id) throws InvalidRequestException {
        if (id.isEmpty()) throw new InvalidRequestException("container id is empty");
        if (!VALID.matcher(id).matches() || id.equals(".") || id.equals("..") || id.length() > 1024) {
            throw new InvalidRequestException("invalid container id '" + id
                    + "': use letters, digits, '_', '+', '-' and '.' only (runc's rule)");
        }
        return id;
    }
}
