package io.sysbox.conformance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;

/**
 * An OCI bundle with a busybox rootfs and the config.json `sysbox-runc spec` writes, edited
 * the way each test needs. Edits apply to the in-memory config; {@link #write()} saves it.
 */
public final class BusyboxBundle {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final List<String> CAPABILITY_SETS = List.of("bounding", "effective", "inheritable", "permitted", "ambient");

    private final Path dir;
    private final ObjectNode config;

    private BusyboxBundle(Path dir, ObjectNode config) {
        this.dir = dir;
        this.config = config;
    }

    /**
     * Builds the bundle in DIR: rootfs, then `sysbox-runc spec`, then no terminal, a writable
     * rootfs, CGROUPS_PATH (relative, so cgroups nest under the caller's own cgroup) and
     * `sleep 3600` as a long-lived init. Written at once, so the bundle is usable as is.
     */
    public static BusyboxBundle create(Path dir, SysboxRunc runtime, String cgroupsPath) throws IOException {
        return make(dir, cgroupsPath, () -> runtime.run("spec", "--bundle", dir.toString()).requireSuccess());
    }

    /**
     * The same with the config.json plain runc writes (`runc spec`: no user namespace, runc's masked
     * and read-only paths), for specs no sysbox-runc converts (the OCI hooks mode).
     */
    public static BusyboxBundle forRunc(Path dir, CommandRunner runner, String cgroupsPath) throws IOException {
        return make(dir, cgroupsPath, () -> runner.run(List.of(Prerequisites.RUNC.toString(), "spec", "--bundle",
                dir.toString())).requireSuccess());
    }

    /** SPEC writes DIR/config.json once the rootfs is there. */
    private static BusyboxBundle make(Path dir, String cgroupsPath, Runnable spec) throws IOException {
        if (cgroupsPath.startsWith("/")) {
            throw new IllegalArgumentException("cgroupsPath " + cgroupsPath + " must be relative");
        }
        Files.createDirectories(dir);
        BusyboxRootfs.populate(dir.resolve("rootfs"));
        spec.run();
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        BusyboxBundle bundle = new BusyboxBundle(dir, config);
        bundle.process().put("terminal", false);
        bundle.root().put("readonly", false);
        bundle.linux().put("cgroupsPath", cgroupsPath);
        bundle.args("sleep", "3600");
        return bundle.write();
    }

    public Path dir() {
        return dir;
    }

    public Path rootfs() {
        return dir.resolve("rootfs");
    }

    public Path configFile() {
        return dir.resolve("config.json");
    }

    /** The config being edited, for changes no helper covers. */
    public ObjectNode config() {
        return config;
    }

    public ObjectNode process() {
        return objectIn(config, "process");
    }

    public ObjectNode linux() {
        return objectIn(config, "linux");
    }

    public ObjectNode root() {
        return objectIn(config, "root");
    }

    public BusyboxBundle args(String... args) {
        ArrayNode array = process().putArray("args");
        for (String arg : args) array.add(arg);
        return this;
    }

    /** Adds NAME=VALUE to process.env. */
    public BusyboxBundle env(String name, String value) {
        arrayIn(process(), "env").add(name + "=" + value);
        return this;
    }

    /** Sets all five capability sets to exactly CAPS. */
    public BusyboxBundle capabilities(String... caps) {
        ObjectNode capabilities = process().putObject("capabilities");
        for (String set : CAPABILITY_SETS) {
            ArrayNode array = capabilities.putArray(set);
            for (String cap : caps) array.add(cap);
        }
        return this;
    }

    public BusyboxBundle bindMount(Path source, String destination) {
        ObjectNode mount = arrayIn(config, "mounts").addObject();
        mount.put("destination", destination);
        mount.put("type", "bind");
        mount.put("source", source.toString());
        mount.putArray("options").add("rbind").add("rw");
        return this;
    }

    /** Drops the namespace of TYPE (OCI name: network, pid, ipc, uts, mount, ...). */
    public BusyboxBundle withoutNamespace(String type) {
        Iterator<com.fasterxml.jackson.databind.JsonNode> it = arrayIn(linux(), "namespaces").iterator();
        while (it.hasNext()) {
            if (type.equals(it.next().path("type").asText())) it.remove();
        }
        return this;
    }

    /** Makes the namespace of TYPE join the one at PATH (e.g. the host's /proc/1/ns/net). */
    public BusyboxBundle namespacePath(String type, String path) {
        withoutNamespace(type);
        arrayIn(linux(), "namespaces").addObject().put("type", type).put("path", path);
        return this;
    }

    /** Explicit mappings `0 -> HOST_ID, SIZE` for both uids and gids. */
    public BusyboxBundle idMappings(long hostId, long size) {
        for (String field : List.of("uidMappings", "gidMappings")) {
            linux().putArray(field).addObject().put("containerID", 0).put("hostID", hostId).put("size", size);
        }
        return this;
    }

    public BusyboxBundle write() throws IOException {
        Files.write(configFile(), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
        return this;
    }

    private static ObjectNode objectIn(ObjectNode parent, String field) {
        return parent.get(field) instanceof ObjectNode o ? o : parent.putObject(field);
    }

    private static ArrayNode arrayIn(ObjectNode parent, String field) {
        return parent.get(field) instanceof ArrayNode a ? a : parent.putArray(field);
    }
}
