package io.sysbox.common.oci;

/** linux.namespaces[]: a type and, when joining an existing one, its path. */
public record Namespace(String type, String path) {
    public boolean joinsExisting() {
        return path != null && !path.isEmpty();
    }
}
