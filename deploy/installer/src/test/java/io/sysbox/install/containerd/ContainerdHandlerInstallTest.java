package io.sysbox.install.containerd;

import io.sysbox.install.host.HostRoot;
import io.sysbox.install.toml.InvalidConfigException;
import io.sysbox.install.toml.TomlDocument;
import io.sysbox.install.undo.ChangeJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The containerd writer on configs in a fake host root: where the handler goes, what it says, and undo. */
class ContainerdHandlerInstallTest {
    private static final Path CONFIG = Path.of("/etc/containerd/config.toml");
    private static final Path RUNC = Path.of("/usr/local/sbin/sysbox-runc");
    private static final ContainerdHandler HANDLER = ContainerdHandler.sysbox(RUNC);

    @TempDir
    Path root;

    private HostRoot host() {
        return new HostRoot(root);
    }

    private byte[] put(Path hostPath, String content) throws IOException {
        Path local = host().resolve(hostPath);
        Files.createDirectories(local.getParent());
        Files.writeString(local, content);
        return content.getBytes(StandardCharsets.UTF_8);
    }

    static String sample(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/configs", name));
    }

    private byte[] read(Path hostPath) throws IOException {
        return Files.readAllBytes(host().resolve(hostPath));
    }

    private HandlerChange install(Optional<Integer> major) throws IOException {
        return new ContainerdHandlerInstall(host(), CONFIG, major).install(ChangeJournal.open(host()), HANDLER);
    }

    private void assertHandler(Path file, ContainerdSchema schema) throws IOException {
        TomlDocument doc = TomlDocument.parse(file, read(file));
        assertTrue(HANDLER.isIn(doc, schema), file + " has the handler: " + new String(read(file), StandardCharsets.UTF_8));
        assertEquals("io.containerd.runc.v2", HANDLER.in(doc, schema).path("runtime_type").asText());
        assertEquals(RUNC.toString(), HANDLER.in(doc, schema).path("options").path("BinaryName").asText());
    }

    @Test
    void debiansContainerd16DefaultGetsTheHandlerAppendedAndEveryByteBeforeItKept() throws IOException {
        byte[] original = put(CONFIG, sample("containerd-1.6-default.toml"));

        HandlerChange change = install(Optional.of(1));

        assertEquals(new HandlerChange(CONFIG, HandlerChange.Placement.MAIN_FILE, true), change);
        byte[] after = read(CONFIG);
        assertArrayEquals(original, java.util.Arrays.copyOf(after, original.length), "the operator's bytes stay as they were");
        assertEquals("\n" + ContainerdHandlerInstall.MARKER + "\n" + HANDLER.section(ContainerdSchema.V2),
                new String(after, original.length, after.length - original.length, StandardCharsets.UTF_8));
        assertHandler(CONFIG, ContainerdSchema.V2);
        // The rest still reads as before: runc is the default and unchanged.
        TomlDocument doc = TomlDocument.parse(CONFIG, after);
        assertEquals("runc", doc.at("plugins", "io.containerd.grpc.v1.cri", "containerd", "default_runtime_name").asText());
    }

    @Test
    void aSecondInstallWritesNothingAndUninstallRestoresTheBytes() throws IOException {
        byte[] original = put(CONFIG, sample("containerd-1.6-default.toml"));
        assertTrue(install(Optional.of(1)).changed());
        byte[] installed = read(CONFIG);
        Object inode = Files.getAttribute(host().resolve(CONFIG), "unix:ino");

        HandlerChange again = install(Optional.of(1));

        assertFalse(again.changed());
        assertArrayEquals(installed, read(CONFIG));
        assertEquals(inode, Files.getAttribute(host().resolve(CONFIG), "unix:ino"), "not rewritten");

        assertEquals(List.of(CONFIG), ContainerdHandlerInstall.uninstall(ChangeJournal.open(host())));
        assertArrayEquals(original, read(CONFIG));
        assertFalse(Files.exists(host().resolve(ChangeJournal.STATE_DIR)), "the journal goes with the last original");
    }

    @Test
    void containerd1WithImportsButACriSectionInTheMainFileAppendsThere() throws IOException {
        // Debian's own config with an imports line: a drop-in would replace its whole CRI section on 1.x.
        String text = "version = 2\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n\n[plugins]\n"
                + "  [plugins.\"io.containerd.grpc.v1.cri\"]\n    [plugins.\"io.containerd.grpc.v1.cri\".cni]\n"
                + "      bin_dir = \"/usr/lib/cni\"\n";
        put(CONFIG, text);
        HandlerChange change = install(Optional.of(1));
        assertEquals(HandlerChange.Placement.MAIN_FILE, change.placed());
        assertFalse(Files.exists(host().resolve("/etc/containerd/conf.d")));
    }

    @Test
    void containerd1WithImportsAndNoCriSectionGetsADropInOfTheSameVersion() throws IOException {
        byte[] original = put(CONFIG, "version = 2\nimports = [\"conf.d/*.toml\"]\n");

        HandlerChange change = install(Optional.of(1));

        Path dropIn = Path.of("/etc/containerd/conf.d/sysbox-runc.toml");
        assertEquals(new HandlerChange(dropIn, HandlerChange.Placement.DROP_IN, true), change);
        assertArrayEquals(original, read(CONFIG), "the main file is not touched");
        assertTrue(new String(read(dropIn), StandardCharsets.UTF_8).startsWith("version = 2\n"));
        assertHandler(dropIn, ContainerdSchema.V2);

        ContainerdHandlerInstall.uninstall(ChangeJournal.open(host()));
        assertFalse(Files.exists(host().resolve("/etc/containerd/conf.d")), "the directory made for the drop-in goes too");
        assertArrayEquals(original, read(CONFIG));
    }

    @Test
    void containerd2VersionThreeGetsTheNewPluginSection() throws IOException {
        byte[] original = put(CONFIG, sample("containerd-2.0-default.toml"));

        HandlerChange change = install(Optional.of(2));

        assertEquals(HandlerChange.Placement.MAIN_FILE, change.placed(), "imports = [] names no directory");
        assertHandler(CONFIG, ContainerdSchema.V3);
        String added = new String(read(CONFIG), StandardCharsets.UTF_8).substring(original.length);
        assertTrue(added.contains("[plugins.\"io.containerd.cri.v1.runtime\".containerd.runtimes.sysbox-runc]"), added);
    }

    @Test
    void containerd2WithImportsGetsADropInEvenWithACriSection() throws IOException {
        String text = sample("containerd-2.0-default.toml").replace("imports = []", "imports = ['/etc/containerd/conf.d/*.toml']");
        byte[] original = put(CONFIG, text);
        put(Path.of("/etc/containerd/conf.d/10-mirrors.toml"), "version = 3\n");

        HandlerChange change = install(Optional.of(2));

        Path dropIn = Path.of("/etc/containerd/conf.d/sysbox-runc.toml");
        assertEquals(new HandlerChange(dropIn, HandlerChange.Placement.DROP_IN, true), change);
        assertArrayEquals(original, read(CONFIG));
        assertTrue(new String(read(dropIn), StandardCharsets.UTF_8).startsWith("version = 3\n"));
        assertHandler(dropIn, ContainerdSchema.V3);
        assertFalse(install(Optional.of(2)).changed(), "a second run finds the drop-in");
    }

    @Test
    void withoutAConfigTheBinarysVersionChoosesTheSchema() throws IOException {
        HandlerChange change = install(Optional.of(2));
        assertEquals(new HandlerChange(CONFIG, HandlerChange.Placement.MAIN_FILE, true), change);
        assertTrue(new String(read(CONFIG), StandardCharsets.UTF_8).startsWith("version = 3\n"));
        assertHandler(CONFIG, ContainerdSchema.V3);
        ContainerdHandlerInstall.uninstall(ChangeJournal.open(host()));
        assertFalse(Files.exists(host().resolve("/etc")), "made from nothing, gone to nothing");

        InvalidConfigException unknown = assertThrows(InvalidConfigException.class, () -> install(Optional.empty()));
        assertTrue(unknown.getMessage().contains("no /etc/containerd/config.toml and no containerd binary"), unknown.getMessage());
    }

    @Test
    void anOperatorsOwnDifferentSysboxHandlerIsRefusedAndNothingChanges() throws IOException {
        String text = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.sysbox-runc]\n"
                + "  runtime_type = \"io.containerd.runc.v2\"\n"
                + "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.sysbox-runc.options]\n"
                + "  BinaryName = \"/opt/sysbox/sysbox-runc\"\n";
        byte[] original = put(CONFIG, text);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> install(Optional.of(1)));
        assertTrue(e.getMessage().contains("already defines the runtime \"sysbox-runc\" otherwise"), e.getMessage());
        assertArrayEquals(original, read(CONFIG));
        assertFalse(Files.exists(host().resolve(ChangeJournal.STATE_DIR)));
    }

    @Test
    void aNewRuntimePathRewritesOnlyTheInstallersOwnBlock() throws IOException {
        byte[] original = put(CONFIG, sample("containerd-1.6-default.toml"));
        install(Optional.of(1));
        Path moved = Path.of("/opt/sysbox/sbin/sysbox-runc");

        HandlerChange change = new ContainerdHandlerInstall(host(), CONFIG, Optional.of(1))
                .install(ChangeJournal.open(host()), ContainerdHandler.sysbox(moved));

        assertTrue(change.changed());
        String text = new String(read(CONFIG), StandardCharsets.UTF_8);
        assertEquals(1, text.split(java.util.regex.Pattern.quote(ContainerdHandlerInstall.MARKER), -1).length - 1);
        assertTrue(text.endsWith("BinaryName = \"" + moved + "\"\n"), text);
        ContainerdHandlerInstall.uninstall(ChangeJournal.open(host()));
        assertArrayEquals(original, read(CONFIG), "the very first original comes back");
    }

    @Test
    void versionOneAndBrokenConfigsAreRefusedNamingTheFile() throws IOException {
        byte[] v1 = put(CONFIG, "[plugins.cri]\n  sandbox_image = \"pause\"\n");
        InvalidConfigException old = assertThrows(InvalidConfigException.class, () -> install(Optional.of(1)));
        assertTrue(old.getMessage().startsWith(CONFIG + " is a version 1 config"), old.getMessage());
        assertArrayEquals(v1, read(CONFIG));

        byte[] broken = put(CONFIG, "version = 2\n[plugins\n");
        InvalidConfigException bad = assertThrows(InvalidConfigException.class, () -> install(Optional.of(1)));
        assertTrue(bad.getMessage().startsWith(CONFIG + ": not valid TOML at line 2"), bad.getMessage());
        assertArrayEquals(broken, read(CONFIG));
    }

    @Test
    void aPrivateRootAndOddPathsAreQuotedSoTheyReadBack() throws IOException {
        ContainerdHandler odd = new ContainerdHandler("sysbox-runc", Path.of("/opt/a \"b\"\\c/sysbox-runc"), Path.of("/run/x y"));
        String section = odd.section(ContainerdSchema.V2);
        TomlDocument doc = TomlDocument.parse(Path.of("/x.toml"), ("version = 2\n" + section).getBytes(StandardCharsets.UTF_8));
        assertTrue(odd.isIn(doc, ContainerdSchema.V2), section);
        assertEquals("/run/x y", odd.in(doc, ContainerdSchema.V2).path("options").path("Root").asText());
    }

    @Test
    void theBinarysVersionLineGivesTheMajor() {
        assertEquals(Optional.of(1), ContainerdBinary.parseMajor("containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n"));
        assertEquals(Optional.of(2), ContainerdBinary.parseMajor("containerd github.com/containerd/containerd/v2 v2.0.4 1a43cb6a1035441f9aca8f5666a9b3ef9e70ab20"));
        assertEquals(Optional.of(1), ContainerdBinary.parseMajor("containerd containerd.io 1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da"));
        assertEquals(Optional.empty(), ContainerdBinary.parseMajor("bash: containerd: command not found"));
    }
}
