package io.sysbox.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The hooks.d file dist/ installs for the OCI hooks mode (OCI hooks schema 1.0.0, as Podman and
 * CRI-O read it), pointed at a suite's private manager: the only change is `--run-dir` appended
 * to the hook's arguments, since the file as built names the host's default run dir.
 */
public record OciHooksFile(ObjectNode json) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static OciHooksFile of(Dist dist) throws IOException {
        return new OciHooksFile((ObjectNode) JSON.readTree(dist.ociHooksFile().toFile()));
    }

    public String hookPath() {
        return json.path("hook").path("path").asText();
    }

    public List<String> hookArgs() {
        return texts(json.path("hook").path("args"));
    }

    public List<String> stages() {
        return texts(json.path("stages"));
    }

    /** when.annotations: key pattern to value pattern. */
    public JsonNode whenAnnotations() {
        return json.path("when").path("annotations");
    }

    /** The hook object (path, args, timeout) with the manager of RUN_DIR, as a config.json's hooks hold it. */
    public ObjectNode hookFor(Path runDir) {
        ObjectNode hook = json.path("hook").deepCopy();
        ((ArrayNode) hook.get("args")).add("--run-dir").add(runDir.toString());
        return hook;
    }

    /** Writes the file, with the hook pointed at RUN_DIR's manager, into DIR (a --hooks-dir); returns it. */
    public Path writeInto(Path dir, Path runDir) throws IOException {
        ObjectNode copy = json.deepCopy();
        copy.set("hook", hookFor(runDir));
        Files.createDirectories(dir);
        return Files.write(dir.resolve("sysbox.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(copy));
    }

    private static List<String> texts(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(n -> list.add(n.asText()));
        return list;
    }
}
