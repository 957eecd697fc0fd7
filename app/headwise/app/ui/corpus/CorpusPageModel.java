package headwise.app.ui.corpus;

import headwise.app.ForwardOptionsProperties;
import headwise.app.corpus.CorpusCancel;
import headwise.app.corpus.CorpusPipeline;
import headwise.app.corpus.CorpusProgress;
import headwise.app.ui.core.ModelViewPage;
import headwise.app.ui.model.AppModel;
import headwise.engine.HeadwiseException;
import headwise.engine.corpus.CorpusPrompt;
import headwise.engine.corpus.CorpusReader;
import headwise.engine.corpus.CorpusResults;
import headwise.engine.corpus.CorpusRunInfo;
import headwise.engine.corpus.RunKey;
import headwise.viz.export.FigureFiles;
import headwise.viz.export.FigureFormat;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The Corpus page's state and jobs: the data file and output folder, a corpus run of the app's model on its own
 * thread (embedded Spark; progress from the job's listener; Cancel cancels the Spark job, and the partitions finished
 * so far stay saved, so Run resumes), an output folder read back, the metric and statistic shown, the selected head,
 * and loading one of the run's prompts into the normal views. FX thread only; the work runs on the corpus thread.
 */
public final class CorpusPageModel {

    private final AppModel app;
    private final ObjectProperty<Path> data = new SimpleObjectProperty<>();
    private final ObjectProperty<Path> out = new SimpleObjectProperty<>();
    private final ObjectProperty<CorpusProgress> progress = new SimpleObjectProperty<>();
    private final BooleanProperty running = new SimpleBooleanProperty();
    private final StringProperty status = new SimpleStringProperty("Choose a data file (JSONL, CSV or text) and run the model on every prompt");
    private final ObjectProperty<CorpusResults> results = new SimpleObjectProperty<>();
    private final StringProperty metric = new SimpleStringProperty("entropy");
    private final StringProperty statistic = new SimpleStringProperty("mean");
    private final IntegerProperty head = new SimpleIntegerProperty(0);
    /** Runs and reads of output folders, one at a time. */
    private final ExecutorService thread = daemon("headwise-corpus");
    /** Loading a prompt back: never waits behind a run. */
    private final ExecutorService promptThread = daemon("headwise-corpus-prompt");
    private CorpusCancel cancel;

    public CorpusPageModel(AppModel app) {
        this.app = app;
    }

    public ObjectProperty<Path> dataProperty() {
        return data;
    }

    /** Where results go; null: a folder beside the data file ("prompts-corpus"). */
    public ObjectProperty<Path> outProperty() {
        return out;
    }

    public ObjectProperty<CorpusProgress> progressProperty() {
        return progress;
    }

    public BooleanProperty runningProperty() {
        return running;
    }

    public StringProperty statusProperty() {
        return status;
    }

    public ObjectProperty<CorpusResults> resultsProperty() {
        return results;
    }

    public StringProperty metricProperty() {
        return metric;
    }

    public StringProperty statisticProperty() {
        return statistic;
    }

    /** The selected head as layer·heads + head. */
    public IntegerProperty headProperty() {
        return head;
    }

    /** Runs the app's model on every prompt of the data file (resuming a run of the same arguments that stopped). */
    public void run() {
        Path file = data.get();
        if (running.get()) {
            return;
        }
        if (file == null) {
            status.set("Choose a data file first");
            return;
        }
        Path folder = out.get() != null ? out.get() : defaultOut(file);
        out.set(folder);
        String model = app.state().model();
        CorpusPipeline.Request request = CorpusPipeline.Request.local(model, file, folder, ForwardOptionsProperties.current());
        CorpusCancel handle = new CorpusCancel();
        cancel = handle;
        running.set(true);
        progress.set(null);
        status.set("Starting Spark and reading " + file.getFileName() + "\u2026");
        submit(thread, () -> {
            CorpusPipeline.Outcome done = CorpusPipeline.run(request, p -> Platform.runLater(() -> showProgress(p)), handle);
            CorpusResults read = CorpusResults.read(folder);
            return () -> {
                results.set(read);
                status.set(String.format(Locale.ROOT, "%d prompts%s, %d layers \u00d7 %d heads in %.1f s%s \u2192 %s", done.prompts(),
                        done.skippedLines().isEmpty() ? "" : " (" + done.skippedLines().size() + " bad lines skipped)", done.layers(),
                        done.heads(), done.seconds(), done.resumed() > 0 ? " (" + done.resumed() + " resumed)" : "", folder));
            };
        });
    }

    /** Cancels the running job; what finished stays saved for the next run. */
    public void cancel() {
        if (cancel != null && running.get()) {
            cancel.cancel();
            status.set("Cancelling\u2026");
        }
    }

    /** Reads a finished run's output folder, without running anything. */
    public void open(Path folder) {
        if (running.get()) {
            status.set("Wait for the run to finish (or cancel it)");
            return;
        }
        running.set(true);
        status.set("Reading " + folder + "\u2026");
        submit(thread, () -> {
            CorpusResults read = CorpusResults.read(folder);
            return () -> {
                results.set(read);
                out.set(folder);
                if (read.info() != null) {
                    data.set(Path.of(read.info().data()));
                }
                status.set(read.prompts() + " prompts, " + read.layers() + " layers \u00d7 " + read.heads() + " heads, from " + folder);
            };
        });
    }

    /**
     * Writes the figures shown (name → figure) as PNG (scale 2) and SVG into the output folder's {@code figures/}, on
     * the prompt thread.
     */
    public void saveFigures(java.util.Map<String, headwise.viz.Figure> figures) {
        Path folder = out.get();
        if (folder == null || results.get() == null) {
            return;
        }
        Path target = folder.resolve("figures");
        submit(promptThread, () -> {
            figures.forEach((name, f) -> {
                FigureFiles.write(f, FigureFormat.PNG, 2, null, target.resolve(name + ".png"));
                FigureFiles.write(f, FigureFormat.SVG, 1, null, target.resolve(name + ".svg"));
            });
            return () -> status.set("Saved " + figures.size() + " figures (PNG and SVG) to " + target);
        });
    }

    /** The prompts where the selected head scores highest (or lowest) on the chosen metric. */
    public List<CorpusResults.Ranked> ranked(boolean highest, int k) {
        CorpusResults r = results.get();
        return r == null ? List.of() : r.ranked(metric.get(), head.get(), highest, k);
    }

    /**
     * Loads a prompt of the run into the normal views: its text (or, for a model without a tokenizer, its ids) becomes
     * the input, on the run's model, and the model view shows it with the selected head.
     */
    public void openPrompt(CorpusResults.PromptRow row) {
        CorpusResults r = results.get();
        if (r == null || r.info() == null) {
            status.set("This output folder has no run.json: the prompt's text is unknown");
            return;
        }
        CorpusRunInfo info = r.info();
        int index = head.get();
        submit(promptThread, () -> {
            Path file = Path.of(info.data());
            CorpusPrompt prompt = CorpusReader.read(file, true).prompts().stream().filter(p -> p.line() == row.line()).findFirst()
                    .orElseThrow(() -> HeadwiseException.inFile(file, "no prompt on line " + row.line() + " any more"));
            boolean changed = !RunKey.fileHash(file).equals(info.dataSha256());
            return () -> load(info, prompt, index / r.heads(), index % r.heads(), changed);
        });
    }

    private void load(CorpusRunInfo info, CorpusPrompt prompt, int layer, int head, boolean changed) {
        String input = prompt.text() != null ? prompt.text() : ids(prompt.ids());
        boolean sameModel = CorpusPipeline.executorModel(app.state().model()).equals(info.model());
        app.select(layer, head);
        app.analyse(input);
        if (!sameModel) {
            app.openModel(info.model());
        }
        app.setPage(ModelViewPage.TITLE);
        status.set("Opened the prompt of line " + prompt.line() + (changed ? " (the data file changed since the run)" : ""));
    }

    private static String ids(int[] ids) {
        StringBuilder s = new StringBuilder();
        for (int id : ids) {
            s.append(s.length() == 0 ? "" : ", ").append(id);
        }
        return s.toString();
    }

    private void showProgress(CorpusProgress p) {
        if (!running.get()) {
            return;
        }
        progress.set(p);
        status.set(p.failure() != null ? p.failure() : String.format(Locale.ROOT, "%d / %d prompts%s \u00b7 %.2f prompts/s \u00b7 ETA %s",
                p.done(), p.total(), p.resumed() > 0 ? " (" + p.resumed() + " resumed)" : "", p.rate(), eta(p.etaSeconds())));
    }

    static String eta(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "\u2026";
        }
        long s = Math.round(seconds);
        return s >= 60 ? s / 60 + " min " + s % 60 + " s" : s + " s";
    }

    static Path defaultOut(Path data) {
        String name = data.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return data.toAbsolutePath().resolveSibling((dot > 0 ? name.substring(0, dot) : name) + "-corpus");
    }

    /**
     * Runs {@code work} on {@code on}; the FX-thread step it returns runs after; failures go to the status. A run or
     * read ({@link #thread}) clears the running flag when it ends.
     */
    private void submit(ExecutorService on, Supplier<Runnable> work) {
        on.execute(() -> {
            Runnable then;
            try {
                then = work.get();
            } catch (CancellationException e) {
                then = () -> status.set("Cancelled; the finished partitions are saved in " + out.get().resolve(CorpusPipeline.PARTITIONS)
                        + ": Run resumes from them");
            } catch (HeadwiseException | java.io.UncheckedIOException e) {
                then = () -> status.set("Corpus: " + e.getMessage());
            } catch (RuntimeException | OutOfMemoryError e) {
                then = () -> status.set("Corpus: " + e);
            }
            Runnable last = then;
            Platform.runLater(() -> {
                if (on == thread) {
                    running.set(false);
                }
                last.run();
            });
        });
    }

    /** Stops a run (window closed). */
    public void close() {
        if (cancel != null) {
            cancel.cancel();
        }
        thread.shutdown();
        promptThread.shutdown();
    }

    private static ExecutorService daemon(String name) {
        return Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true); // a run in progress never keeps the app alive
            return t;
        });
    }
}
