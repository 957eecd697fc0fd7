package headwise.app.cli;

import com.google.gson.GsonBuilder;
import headwise.engine.HeadwiseException;
import headwise.engine.load.LoadedModel;
import headwise.engine.run.Generation;
import headwise.engine.run.Generator;
import headwise.engine.run.ModelInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code generate}: greedy decoding with a KV cache (ENGINE.md). Prints one info line, then as its last line one
 * JSON object {"ids": [generated ids], "text": "generated text"}: the new tokens only, the stop token included
 * when one ended the run; the text is what they add after the prompt (special tokens give none).
 */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Greedy decoding with a KV cache.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    CommonOptions common;

    @Mixin
    InputOptions input;

    @Option(names = "--max-new", paramLabel = "N", defaultValue = "256", description = "Most tokens to generate (default ${DEFAULT-VALUE}).")
    int maxNew;

    @Option(names = "--eos", paramLabel = "IDS", description = "Stop ids, comma-separated, instead of the model's own (llama2.c: 2 and 1; "
            + "Hugging Face: eos_token_id).")
    String eos;

    @Override
    public Integer call() {
        if (maxNew < 0) {
            throw new HeadwiseException("--max-new must be 0 or more, is " + maxNew);
        }
        try (LoadedModel model = common.load()) {
            ModelInput prompt = input.resolve(model);
            int[] stopIds = eos != null ? ModelInput.parseIds(eos) : Generator.defaultStopIds(model);
            Generation generation = Generator.generate(model.transformer(), prompt.ids(),
                    new Generator.Settings(maxNew, stopIds, false, false));
            String text = model.hasTokenizer() ? Generator.continuationText(model.tokenizer(), prompt.ids(), generation.ids()) : "";

            PrintWriter out = command.commandLine().getOut();
            out.printf("%s: prompt %d tokens, generated %d (%s), %.2f ms/token%s%n", model.name(), prompt.length(),
                    generation.ids().length, generation.stop().name().toLowerCase().replace('_', ' '), generation.millisPerToken(),
                    model.hasTokenizer() ? "" : "; no tokenizer, so no text");
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("ids", generation.ids());
            json.put("text", text);
            out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(json));
            out.flush();
        }
        return 0;
    }
}
