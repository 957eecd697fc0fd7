// llama.cpp's own logits for a GGUF file, as an independent reference for Headwise's GGUF loading (README, "GGUF files").
// Not part of the build. In a scratch folder: npm install node-llama-cpp@3, copy this file there, then
//     node llama_cpp_logits.mjs MODEL.gguf 1,5,9,... > logits.json
// prints [T][vocab] logits (CPU, float32 KV cache, no flash attention) for the given token ids.
import {getLlama} from "node-llama-cpp";

const [modelPath, idsCsv] = process.argv.slice(2);
const ids = idsCsv.split(",").map(Number);
const llama = await getLlama({gpu: false, build: "never", logLevel: "error"});
const model = await llama.loadModel({modelPath, gpuLayers: 0});
const context = await model.createContext({contextSize: 64, batchSize: 64, threads: 2, flashAttention: false,
    experimentalKvCacheKeyType: "F32", experimentalKvCacheValueType: "F32"});
const out = await context.getSequence().controlledEvaluate(ids.map(t => [t, {generateNext: {logits: true}}]));
const rows = out.map(r => {
    const row = [];
    for (const [token, logit] of r.next.logits) {
        row[token] = logit;
    }
    return Array.from(row, v => v ?? null);
});
console.log(JSON.stringify(rows));
