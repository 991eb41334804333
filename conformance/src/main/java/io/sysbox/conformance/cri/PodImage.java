package io.sysbox.conformance.cri;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.conformance.BusyboxRootfs;
import io.sysbox.conformance.CommandRunner;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A one-layer busybox image in `docker save` form, made locally (no registry is reachable),
 * tagged with every reference a pod test needs: containerd's sandbox image and the containers'.
 * Its default command sleeps, so it serves as the pause image too (containerd stops a sandbox
 * with SIGKILL, so a pause that handles signals is not needed).
 */
public record PodImage(Path tarball, List<String> references) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Docker's default PATH, which `docker import` gives the test images too. */
    private static final String DEBIAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static PodImage build(Path dir, CommandRunner runner, List<String> references) throws IOException {
        Path rootfs = dir.resolve("rootfs");
        BusyboxRootfs.populate(rootfs);
        Path layerTar = dir.resolve("layer.tar");
        runner.run(List.of("tar", "--numeric-owner", "--owner=0", "--group=0", "-C", rootfs.toString(),
                "-cf", layerTar.toString(), ".")).requireSuccess();
        return archive(dir, runner, layerTar, "/bin", List.of("/bin/sleep", "2147483647"), references);
    }

    /**
     * The same form around the root filesystem tarball of a test image (conformance/images'
     * build, copied as the one layer), whose default command is CMD: the image Docker imports,
     * for pods.
     */
    public static PodImage ofRootfsTarball(Path dir, CommandRunner runner, Path rootfsTarball, List<String> cmd,
                                           List<String> references) throws IOException {
        Files.createDirectories(dir);
        Path layerTar = dir.resolve("layer.tar");
        Files.copy(rootfsTarball, layerTar);
        return archive(dir, runner, layerTar, DEBIAN_PATH, cmd, references);
    }

    /** Moves LAYER_TAR into a `docker save` archive with PATH, CMD and REFERENCES; the tarball of it. */
    private static PodImage archive(Path dir, CommandRunner runner, Path layerTar, String path, List<String> cmd,
                                    List<String> references) throws IOException {
        Path archive = Files.createDirectories(dir.resolve("archive"));
        String layerDigest = sha256(layerTar);
        Path layerDir = Files.createDirectories(archive.resolve(layerDigest));
        Files.move(layerTar, layerDir.resolve("layer.tar"));

        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "amd64").put("os", "linux");
        ObjectNode container = config.putObject("config");
        container.putArray("Env").add("PATH=" + path);
        ArrayNode cmdNode = container.putArray("Cmd");
        cmd.forEach(cmdNode::add);
        ObjectNode rootfsNode = config.putObject("rootfs").put("type", "layers");
        rootfsNode.putArray("diff_ids").add("sha256:" + layerDigest);
        byte[] configBytes = JSON.writeValueAsBytes(config);
        String configName = sha256(configBytes) + ".json";
        Files.write(archive.resolve(configName), configBytes);

        ArrayNode manifest = JSON.createArrayNode();
        ObjectNode entry = manifest.addObject().put("Config", configName);
        ArrayNode tags = entry.putArray("RepoTags");
        references.forEach(tags::add);
        entry.putArray("Layers").add(layerDigest + "/layer.tar");
        Files.write(archive.resolve("manifest.json"), JSON.writeValueAsBytes(manifest));

        Path tarball = dir.resolve("pod-image.tar");
        runner.run(List.of("tar", "-C", archive.toString(), "-cf", tarball.toString(), "manifest.json", configName,
                layerDigest)).requireSuccess();
        return new PodImage(tarball, List.copyOf(references));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest = newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
