package headwise.engine.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import headwise.engine.HeadwiseException;
import headwise.engine.json.Json;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A model split over several safetensors files, listed by {@code model.safetensors.index.json}. */
public final class ShardedSafetensors implements TensorSource {

    private final Path index;
    private final Map<String, SafetensorsFile> shardOf;
    private final Map<String, SafetensorsFile> openShards;

    private ShardedSafetensors(Path index, Map<String, SafetensorsFile> shardOf, Map<String, SafetensorsFile> openShards) {
        this.index = index;
        this.shardOf = shardOf;
        this.openShards = openShards;
    }

    public static ShardedSafetensors open(Path index) {
        JsonObject root = Json.readObject(index);
        JsonElement weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isJsonObject()) {
            throw HeadwiseException.inFile(index, "no \"weight_map\" object");
        }
        Path folder = index.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> openShards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> shardOf = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> e : weightMap.getAsJsonObject().entrySet()) {
                if (!e.getValue().isJsonPrimitive()) {
                    throw HeadwiseException.inFile(index, "weight_map entry " + HeadwiseException.quote(e.getKey()) + " is not a file name");
                }
                String shardName = e.getValue().getAsString();
                Path shardPath;
                try {
                    shardPath = folder.resolve(shardName).normalize();
                } catch (InvalidPathException invalid) {
                    throw HeadwiseException.inFile(index, "shard " + HeadwiseException.quote(shardName) + " is not a valid file name");
                }
                if (!shardPath.getParent().equals(folder.normalize()) ) {
                    throw HeadwiseException.inFile(index, "shard " + HeadwiseException.quote(shardName) + " is outside the model folder");
                }
                SafetensorsFile shard = openShards.computeIfAbsent(shardName, n -> SafetensorsFile.open(shardPath));
                if (shard.shape(e.getKey()) == null) {
                    throw HeadwiseException.inFile(shardPath, "tensor " + HeadwiseException.quote(e.getKey()) + " listed in " + index.getFileName() + " is missing");
                }
                shardOf.put(e.getKey(), shard);
            }
        } catch (RuntimeException e) {
            openShards.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new ShardedSafetensors(index, Collections.unmodifiableMap(shardOf), openShards);
    }

    @Override
    public Set<String> names() {
        return shardOf.keySet();
    }

    @Override
    public long[] shape(String name) {
        SafetensorsFile shard = shardOf.get(name);
        return shard == null ? null : shard.shape(name);
    }

    @Override
    public float[] floats(String name) {
        SafetensorsFile shard = shardOf.get(name);
        if (shard == null) {
            throw HeadwiseException.inFile(index, "no tensor named " + HeadwiseException.quote(name));
        }
        return shard.floats(name);
    }

    @Override
    public Path fileOf(String name) {
        SafetensorsFile shard = shardOf.get(name);
        return shard == null ? index : shard.location();
    }

    @Override
    public Path location() {
        return index;
    }

    @Override
    public void close() {
        openShards.values().forEach(SafetensorsFile::close);
    }
}
