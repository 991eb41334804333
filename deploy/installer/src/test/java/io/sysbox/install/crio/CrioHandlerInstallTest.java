package io.sysbox.install.crio;

import io.sysbox.install.host.HostRoot;
import io.sysbox.install.toml.InvalidConfigException;
import io.sysbox.install.toml.TomlDocument;
import io.sysbox.install.undo.ChangeJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrioHandlerInstallTest {
    private static final Path RUNC = Path.of("/usr/local/sbin/sysbox-runc");

    @TempDir
    Path root;

    @Test
    void theDropInHoldsTheHandlerAndTheMainConfigStaysAsItWas() throws IOException {
        HostRoot host = new HostRoot(root);
        Path main = host.resolve(CrioHandlerInstall.MAIN_CONFIG);
        Files.createDirectories(main.getParent());
        Files.copy(Path.of("src/test/resources/configs/crio-1.32.conf"), main);
        byte[] original = Files.readAllBytes(main);
        CrioHandlerInstall install = CrioHandlerInstall.of(host);

        assertTrue(install.install(ChangeJournal.open(host), CrioHandler.sysbox(RUNC)));

        Path dropIn = host.resolve("/etc/crio/crio.conf.d/99-sysbox-runc.conf");
        TomlDocument doc = TomlDocument.parse(install.dropIn(), Files.readAllBytes(dropIn));
        var table = CrioHandler.sysbox(RUNC).in(doc);
        assertEquals(RUNC.toString(), table.path("runtime_path").asText());
        assertEquals("oci", table.path("runtime_type").asText());
        assertEquals("io.kubernetes.cri-o.userns-mode", table.path("allowed_annotations").get(0).asText());
        assertEquals(1, table.path("allowed_annotations").size());
        assertArrayEquals(original, Files.readAllBytes(main));
        assertEquals(0644, ((Integer) Files.getAttribute(dropIn, "unix:mode")) & 07777);

        assertFalse(install.install(ChangeJournal.open(host), CrioHandler.sysbox(RUNC)), "a second run writes nothing");

        assertEquals(List.of(Path.of("/etc/crio/crio.conf.d/99-sysbox-runc.conf"), Path.of("/etc/crio/crio.conf.d")),
                CrioHandlerInstall.uninstall(ChangeJournal.open(host)));
        assertFalse(Files.exists(dropIn.getParent()), "the drop-in directory was made for it");
        assertArrayEquals(original, Files.readAllBytes(main));
    }

    @Test
    void aBrokenDropInOfSomeoneElsesIsRefusedBeforeAnythingIsWritten() throws IOException {
        HostRoot host = new HostRoot(root);
        Path other = host.resolve("/etc/crio/crio.conf.d/10-broken.conf");
        Files.createDirectories(other.getParent());
        Files.writeString(other, "[crio.runtime\n");
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> CrioHandlerInstall.of(host).install(ChangeJournal.open(host), CrioHandler.sysbox(RUNC)));
        assertTrue(e.getMessage().startsWith("/etc/crio/crio.conf.d/10-broken.conf: not valid TOML"), e.getMessage());
        assertFalse(Files.exists(host.resolve("/etc/crio/crio.conf.d/99-sysbox-runc.conf")));
    }

    @Test
    void aPrivateRuntimeRootIsWrittenWhenGiven() throws IOException {
        CrioHandler handler = new CrioHandler("sysbox-runc", RUNC, Path.of("/run/sysbox-runc"));
        TomlDocument doc = TomlDocument.parse(Path.of("/x.conf"), handler.section().getBytes());
        assertEquals("/run/sysbox-runc", handler.in(doc).path("runtime_root").asText());
    }

    @Test
    void theDropInKeepsInfraContainersThatHoldThePodsUserNamespace() throws IOException {
        TomlDocument doc = TomlDocument.parse(Path.of("/x.conf"), CrioHandler.sysbox(RUNC).section().getBytes());
        assertFalse(doc.at("crio", "runtime", "drop_infra_ctr").asBoolean(true));
        assertEquals("oci", CrioHandler.sysbox(RUNC).in(doc).path("runtime_type").asText());
    }
}
