package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;

import java.nio.file.Path;

/**
 * Reads, edits and makes entries of the spec's mounts array as JSON nodes, so that fields this
 * runtime does not know (idmap extensions, engine-specific options) stay on the entries it edits.
 */
final class MountNodes {

    private MountNodes() {
    }

    /** The destination as a normalized absolute path (runc treats a relative one as relative to /). */
    static String destination(JsonNode mount) {
        String dest = mount.path("destination").asText("");
        return Path.of("/").resolve(dest).normalize().toString();
    }

    static String type(JsonNode mount) {
        return mount.path("type").asText("");
    }

    /** Whether PATH is strictly below PARENT. */
    static boolean isBelow(String path, String parent) {
        return path.startsWith(parent.endsWith("/") ? parent : parent + "/");
    }

    static boolean hasOption(JsonNode mount, String option) {
        for (JsonNode o : mount.path("options")) {
            if (option.equals(o.asText())) return true;
        }
        return false;
    }

    static void removeOption(ObjectNode mount, String option) {
        if (!(mount.get("options") instanceof ArrayNode options)) return;
        for (int i = options.size() - 1; i >= 0; i--) {
            if (option.equals(options.get(i).asText())) options.remove(i);
        }
    }

    static void addOption(ObjectNode mount, String option) {
        if (!hasOption(mount, option)) Spec.arrayIn(mount, "options").add(option);
    }

    static ObjectNode make(String destination, String type, String source, String... options) {
        ObjectNode mount = Spec.JSON.createObjectNode();
        mount.put("destination", destination).put("type", type).put("source", source);
        ArrayNode array = mount.putArray("options");
        for (String o : options) array.add(o);
        return mount;
    }

    static ObjectNode proc() {
        return make("/proc", "proc", "proc", "nosuid", "noexec", "nodev");
    }

    static ObjectNode devTmpfs() {
        return make("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
    }

    /** No gid=5: the tty group may not exist (or be mapped) in the container's user namespace. */
    static ObjectNode devpts() {
        return make("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620");
    }

    static ObjectNode shm() {
        return make("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
    }

    static ObjectNode mqueue() {
        return make("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
    }

    static ObjectNode sysfs(boolean readOnly) {
        ObjectNode mount = make("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev");
        if (readOnly) addOption(mount, "ro");
        return mount;
    }

    static ObjectNode cgroup() {
        return make("/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime");
    }

    /** The kernel log is the host's; reading it inside would leak host messages, so it reads as empty. */
    static ObjectNode kmsg() {
        return make("/dev/kmsg", "bind", "/dev/null", "rbind", "rprivate");
    }

    static ObjectNode run() {
        return make("/run", "tmpfs", "tmpfs", "rw", "nosuid", "nodev", "mode=755", "size=64m");
    }

    static ObjectNode runLock() {
        return make("/run/lock", "tmpfs", "tmpfs", "rw", "nosuid", "nodev", "noexec", "mode=1777", "size=4m");
    }

    static ObjectNode tmp() {
        return make("/tmp", "tmpfs", "tmpfs", "rw", "nosuid", "nodev", "mode=1777");
    }

    static ObjectNode readOnlyBind(String path) {
        return make(path, "bind", path, "rbind", "ro", "nosuid", "nodev", "noexec");
    }
}
