package io.sysbox.setup.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Spec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SysboxKnobsTest {

    private static Spec withEnv(String... env) {
        Spec spec = TestSpecs.docker();
        var array = Spec.arrayIn(spec.process(), "env");
        for (String e : env) array.add(e);
        return spec;
    }

    private static InvalidSpecException refused(String... env) {
        return assertThrows(InvalidSpecException.class, () -> SysboxKnobs.parse(withEnv(env)));
    }

    @Test
    void noKnobsMeansEveryValueFromTheManager() throws Exception {
        assertEquals(SysboxKnobs.none(), SysboxKnobs.parse(TestSpecs.docker()));
    }

    @Test
    void readsEachBooleanKnob() throws Exception {
        SysboxKnobs knobs = SysboxKnobs.parse(withEnv("SYSBOX_HONOR_CAPS=TRUE", "SYSBOX_IGNORE_SYSFS_CHOWN=FALSE",
                "SYSBOX_ALLOW_TRUSTED_XATTR=TRUE", "SYSBOX_SYSCONT_MODE=FALSE"));
        assertEquals(Optional.of(true), knobs.honorCaps());
        assertEquals(Optional.of(false), knobs.ignoreSysfsChown());
        assertEquals(Optional.of(true), knobs.allowTrustedXattr());
        assertEquals(Optional.of(false), knobs.syscontMode());
        assertEquals(List.of(), knobs.skipUidShift());
    }

    @Test
    void lastDefinitionWinsLikeExecveSeesIt() throws Exception {
        SysboxKnobs knobs = SysboxKnobs.parse(withEnv("SYSBOX_HONOR_CAPS=TRUE", "SYSBOX_HONOR_CAPS=FALSE"));
        assertEquals(Optional.of(false), knobs.honorCaps());
    }

    @Test
    void readsSkipUidShiftAsNormalizedAbsolutePaths() throws Exception {
        SysboxKnobs knobs = SysboxKnobs.parse(withEnv("SYSBOX_SKIP_UID_SHIFT=/data/,/var/lib/mysql, /srv"));
        assertEquals(List.of("/data", "/var/lib/mysql", "/srv"), knobs.skipUidShift());
    }

    @Test
    void refusesABooleanOtherThanUpperCaseTrueOrFalse() {
        for (String bad : List.of("true", "yes", "1", "False")) {
            String message = refused("SYSBOX_SYSCONT_MODE=" + bad).getMessage();
            assertTrue(message.contains("SYSBOX_SYSCONT_MODE=" + bad), message);
            assertTrue(message.contains("TRUE or FALSE"), message);
        }
        for (String knob : List.of("SYSBOX_HONOR_CAPS", "SYSBOX_IGNORE_SYSFS_CHOWN", "SYSBOX_ALLOW_TRUSTED_XATTR")) {
            String message = refused(knob + "=on").getMessage();
            assertTrue(message.contains(knob + "=on") && message.contains("TRUE or FALSE"), message);
        }
    }

    @Test
    void refusesAnEmptyValueOfAnyKnob() {
        for (String knob : List.of("SYSBOX_HONOR_CAPS", "SYSBOX_IGNORE_SYSFS_CHOWN", "SYSBOX_ALLOW_TRUSTED_XATTR",
                "SYSBOX_SYSCONT_MODE", "SYSBOX_SKIP_UID_SHIFT")) {
            String message = refused(knob + "=").getMessage();
            assertTrue(message.contains(knob) && message.contains("empty value"), message);
        }
        String noEquals = refused("SYSBOX_HONOR_CAPS").getMessage();
        assertTrue(noEquals.contains("SYSBOX_HONOR_CAPS") && noEquals.contains("TRUE or FALSE"), noEquals);
    }

    @Test
    void refusesAnUnknownSysboxName() {
        String message = refused("SYSBOX_HONOUR_CAPS=TRUE").getMessage();
        assertTrue(message.contains("SYSBOX_HONOUR_CAPS") && message.contains("not a sysbox knob"), message);
        assertTrue(message.contains("SYSBOX_HONOR_CAPS") && message.contains("SYSBOX_SKIP_UID_SHIFT"), message);
    }

    @Test
    void ignoresVariablesOutsideTheSysboxPrefix() throws Exception {
        assertEquals(SysboxKnobs.none(), SysboxKnobs.parse(withEnv("SYSBOXED=1", "MY_SYSBOX_X=2")));
    }

    @Test
    void refusesARelativeOrEmptySkipUidShiftEntry() {
        String relative = refused("SYSBOX_SKIP_UID_SHIFT=/data,var/lib").getMessage();
        assertTrue(relative.contains("SYSBOX_SKIP_UID_SHIFT=/data,var/lib") && relative.contains("\"var/lib\"")
                && relative.contains("absolute"), relative);
        String empty = refused("SYSBOX_SKIP_UID_SHIFT=/data,,/srv").getMessage();
        assertTrue(empty.contains("\"\"") && empty.contains("absolute"), empty);
    }

    @Test
    void validatorRefusesBadKnobsToo() {
        String message = assertThrows(InvalidSpecException.class, () -> SpecValidator.validate(
                withEnv("SYSBOX_HONOR_CAPS=maybe"), HostNamespaces.ofThisProcess())).getMessage();
        assertTrue(message.contains("SYSBOX_HONOR_CAPS=maybe"), message);
    }

    @Test
    void jsonRoundTripKeepsSetAndUnsetKnobsApart() throws Exception {
        SysboxKnobs knobs = SysboxKnobs.parse(withEnv("SYSBOX_HONOR_CAPS=FALSE", "SYSBOX_SKIP_UID_SHIFT=/a,/b"));
        ObjectNode json = knobs.toJson();
        assertEquals(false, json.get("honorCaps").booleanValue());
        assertTrue(!json.has("syscontMode"), json.toString());
        SysboxKnobs back = SysboxKnobs.fromJson(Spec.JSON.readTree(Spec.JSON.writeValueAsString(json)));
        assertEquals(knobs, back);
        assertEquals(SysboxKnobs.none(), SysboxKnobs.fromJson(SysboxKnobs.none().toJson()));
    }

    @Test
    void fromJsonRefusesWhatToJsonNeverWrites() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> SysboxKnobs.fromJson(Spec.JSON.readTree("{\"honorCaps\":\"TRUE\"}")));
        assertThrows(IllegalArgumentException.class,
                () -> SysboxKnobs.fromJson(Spec.JSON.readTree("{\"skipUidShift\":\"/a\"}")));
        assertThrows(IllegalArgumentException.class, () -> SysboxKnobs.fromJson(Spec.JSON.readTree("[]")));
    }
}
