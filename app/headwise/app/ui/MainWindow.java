package headwise.app.ui;

import headwise.app.export.Exporter;
import headwise.app.export.ViewKind;
import headwise.app.session.Session;
import headwise.app.session.SessionState;
import headwise.app.session.Theme;
import headwise.app.ui.core.HeadDetailPage;
import headwise.app.ui.help.MethodsWindow;
import headwise.app.ui.core.HeadPageModel;
import headwise.app.ui.core.InterventionsPage;
import headwise.app.ui.core.InterventionsPageModel;
import headwise.app.ui.core.ModelViewPage;
import headwise.app.ui.core.RelevancePage;
import headwise.app.ui.core.RelevancePageModel;
import headwise.app.ui.probe.FxProbeFiles;
import headwise.app.ui.probe.ProbingPage;
import headwise.app.ui.probe.ProbingPageModel;
import headwise.app.ui.vlm.VlmPage;
import headwise.app.ui.vlm.VlmPageModel;
import headwise.app.ui.core.ModelViewPageModel;
import headwise.app.ui.model.AppModel;
import headwise.app.ui.model.BackgroundReads;
import headwise.app.ui.page.OwnFigure;
import headwise.app.ui.page.Page;
import headwise.app.ui.page.Pages;
import headwise.app.ui.page.ViewState;
import headwise.app.ui.widget.TokenChips;
import headwise.engine.HeadwiseException;
import headwise.engine.run.AnalysisResult;
import headwise.engine.load.BundledModels;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.Menu;
import javafx.scene.control.MenuBar;
import javafx.scene.control.MenuItem;
import javafx.scene.control.RadioMenuItem;
import javafx.scene.control.SeparatorMenuItem;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.DragEvent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.TransferMode;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import javafx.stage.Window;
import org.controlsfx.control.StatusBar;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The main window: menus, the input bar, token chips, one tab per page and the status bar with progress and
 * Cancel. It only binds to the {@link AppModel} and forwards commands; pages draw the session. A page is redrawn when
 * the session changes while it is shown, or when it is next selected.
 */
public final class MainWindow {

    private final AppModel model;
    private final Chooser chooser;
    private final Supplier<Window> owner;
    private final ViewState viewState;
    private final TabPane tabs = new TabPane();
    private final List<Page> pages = new ArrayList<>();
    private final Set<Page> stale = new HashSet<>();
    private final Map<String, MenuItem> menuItems = new HashMap<>();
    /** The run whose tokens the chips show. */
    private AnalysisResult chipsOf;
    private final TextField text = new TextField();
    private final TextField compare = new TextField();
    private final Label modelName = new Label();
    private final Menu recent = new Menu("Recent models");
    private final TokenChips chips;
    private final BorderPane root;
    private final RadioMenuItem light = new RadioMenuItem("Light theme");
    private final RadioMenuItem dark = new RadioMenuItem("Dark theme");
    private MethodsWindow methods;
    /** Held here: a binding only its listener refers to would be collected. */
    private javafx.beans.binding.BooleanBinding statusFailed;
    private Theme applied;
    private boolean syncing;

    public MainWindow(AppModel model, Chooser chooser, Supplier<Window> owner) {
        this.model = model;
        this.chooser = chooser;
        this.owner = owner;
        this.viewState = new ViewState(this::openHead, model::requestPart, () -> new BackgroundReads(model::report));
        viewState.setEstimates(model::estimateSeconds);
        this.chips = new TokenChips(viewState.hoveredTokenProperty());
        addPage(ModelViewPage.TITLE, () -> new ModelViewPage(new ModelViewPageModel(model, viewState)));
        addPage(HeadDetailPage.TITLE, () -> new HeadDetailPage(new HeadPageModel(model), viewState));
        addPage(InterventionsPage.TITLE, () -> new InterventionsPage(new InterventionsPageModel(model)));
        Pages.analysisPageMakers(viewState).forEach(this::addPage);
        addPage(RelevancePage.TITLE, () -> new RelevancePage(new RelevancePageModel(model)));
        addPage(ProbingPage.TITLE, () -> new ProbingPage(new ProbingPageModel(model), new FxProbeFiles()));
        headwise.app.ui.corpus.CorpusPages.makers(model, viewState).forEach(this::addPage);
        addPage(VlmPage.TITLE, () -> new VlmPage(new VlmPageModel(model, this::openHead)));
        tabs.setId("pages");
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getSelectionModel().selectedItemProperty().addListener((o, was, tab) -> {
            if (tab != null) {
                Page page = pageOf(tab);
                attach(tab);
                showIfStale(page);
                if (!syncing) {
                    model.setPage(page.title());
                }
            }
        });
        Tab first = tabs.getSelectionModel().getSelectedItem(); // selected as it was added, before the listener
        if (first != null) {
            attach(first);
        }

        VBox top = new VBox(menus(), inputBar(), chips.view());
        root = new BorderPane(tabs, top, null, statusBar(), null);
        root.setOnDragOver(this::dragOver);
        root.setOnDragDropped(this::dropped);

        model.sessionProperty().addListener((o, was, session) -> sessionChanged(session));
        model.stateProperty().addListener((o, was, state) -> stateChanged(state));
        viewState.logScaleProperty().addListener((o, was, on) -> model.updateSelection(s -> s.withLogScale(on)));
        viewState.hideSinksProperty().addListener((o, was, on) -> redrawAll());
        viewState.hoveredTokenProperty().addListener((o, was, on) -> redrawAll());
        model.recentModels().addListener((javafx.collections.ListChangeListener<String>) c -> rebuildRecent());
        rebuildRecent();
        stateChanged(model.state());
    }

    public Parent root() {
        return root;
    }

    public ViewState viewState() {
        return viewState;
    }

    /** The page with this title, or null. */
    public Page page(String title) {
        for (Tab tab : tabs.getTabs()) {
            if (((Slot) tab.getUserData()).title().equals(title)) {
                return pageOf(tab);
            }
        }
        return null;
    }

    public Page selectedPage() {
        Tab tab = tabs.getSelectionModel().getSelectedItem();
        return tab == null ? null : pageOf(tab);
    }

    public void selectPage(String title) {
        for (Tab tab : tabs.getTabs()) {
            if (((Slot) tab.getUserData()).title().equals(title)) {
                tabs.getSelectionModel().select(tab);
            }
        }
    }

    /**
     * A tab's page joins the scene when the tab is first selected: a TabPane styles and lays out every tab's content,
     * and at start only the first page is seen.
     */
    private void attach(Tab tab) {
        if (tab.getContent() == null) {
            tab.setContent(pageOf(tab).view());
        }
    }

    /** A tab's page: its title at once, the page itself made when first needed (cold start makes only the shown one). */
    private static final class Slot {
        private final String title;
        private final Supplier<Page> make;
        private Page page;

        Slot(String title, Supplier<Page> make) {
            this.title = title;
            this.make = make;
        }

        String title() {
            return title;
        }
    }

    /** The tab's page, made now if it was not yet (it starts stale, so it draws the session when shown). */
    private Page pageOf(Tab tab) {
        Slot slot = (Slot) tab.getUserData();
        if (slot.page == null) {
            slot.page = slot.make.get();
            pages.add(slot.page);
            stale.add(slot.page);
        }
        return slot.page;
    }

    private void addPage(String title, Supplier<Page> make) {
        Tab tab = new Tab(title);
        tab.setId("tab-" + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"));
        tab.setUserData(new Slot(title, make));
        tab.setGraphic(helpButton(title));
        MenuItem export = new MenuItem("Export\u2026");
        export.setOnAction(e -> exportPage(pageOf(tab)));
        tab.setContextMenu(new ContextMenu(export));
        tabs.getTabs().add(tab);
    }

    /** The page's "?": opens Help > Methods at the page's entry. */
    private Button helpButton(String title) {
        Button help = new Button("?");
        help.setId("help-" + title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-"));
        help.getStyleClass().addAll("hw-help-button", "flat");
        help.setFocusTraversable(false);
        help.setTooltip(new Tooltip("What the " + title + " page shows: its measures, papers and colours"));
        help.setOnAction(e -> showMethods(title));
        return help;
    }

    /** Help > Methods at {@code page}'s entry (null: the top). */
    public void showMethods(String page) {
        if (methods == null) {
            methods = new MethodsWindow();
        }
        methods.show(owner.get(), page);
    }

    /** The Methods window, once opened (tests). */
    public MethodsWindow methodsWindow() {
        return methods;
    }

    private void openHead(int layer, int head) {
        model.select(layer, head);
        selectPage(HeadDetailPage.TITLE);
    }

    private void sessionChanged(Session session) {
        if (session == null) {
            return;
        }
        stale.addAll(pages);
        if (session.result() != chipsOf) { // a new selection pairs the same run anew: its chips stay
            chipsOf = session.result();
            chips.show(session.tokens(), session.result().input().ids());
        }
        Page shown = selectedPage();
        if (shown != null) {
            showIfStale(shown);
        }
    }

    private void redrawAll() {
        stale.addAll(pages);
        Page shown = selectedPage();
        if (shown != null && model.session() != null) {
            showIfStale(shown);
        }
    }

    private void showIfStale(Page page) {
        Session s = model.session();
        if (s != null && stale.remove(page)) {
            try {
                page.show(s);
            } catch (HeadwiseException | IllegalArgumentException | IllegalStateException e) {
                model.report(e); // a page that cannot draw this session says why; the others go on
            }
        }
    }

    private void stateChanged(SessionState s) {
        syncing = true;
        if (imageOnly()) {
            showTextBoxFor(true); // the text stays in the session for the next text model, not in the box
        } else if ((!text.isFocused() || text.getText().isEmpty()) && !text.getText().equals(s.text())) {
            text.setText(s.text()); // only when it changed: laying out a 4k-token text on every selection stalls the window
        }
        if (!compare.isFocused()) {
            compare.setText(s.compareText());
        }
        // a second model takes precedence over the compare text: say so where the text would be typed
        compare.setPromptText(s.hasCompareModel() ? "comparing with " + AppModel.shortName(s.compareModel()) : "compare with (optional)");
        compare.setTooltip(s.hasCompareModel()
                ? new Tooltip("B is " + s.compareModel() + " on the same input (File > Stop comparing models to use a second text)")
                : null);
        viewState.logScaleProperty().set(s.selection().logScale());
        if (s.theme() != applied) {
            boolean switched = applied != null;
            applied = s.theme();
            ThemeStyles.apply(applied);
            if (switched) {
                redrawAll(); // canvases draw their labels in the theme's text colour
            }
        }
        light.setSelected(s.theme() == Theme.LIGHT);
        dark.setSelected(s.theme() == Theme.DARK);
        modelName.setText(AppModel.shortName(s.model()));
        modelName.setTooltip(new Tooltip(s.model()));
        if (!s.page().isEmpty() && selectedPage() != null && !selectedPage().title().equals(s.page())) {
            selectPage(s.page());
        }
        syncing = false;
    }

    private MenuBar menus() {
        Menu file = new Menu("File");
        MenuItem open = item("Open model folder\u2026", "menu-open-model", () -> {
            Path folder = chooser.modelFolder(owner.get());
            if (folder != null) {
                model.openModel(folder.toString());
            }
        });
        open.setAccelerator(new KeyCodeCombination(KeyCode.O, KeyCombination.SHORTCUT_DOWN));
        MenuItem openFile = item("Open GGUF file\u2026", "menu-open-gguf", () -> {
            Path gguf = chooser.modelFile(owner.get());
            if (gguf != null) {
                model.openModel(gguf.toString());
            }
        });
        Menu bundled = new Menu("Bundled models");
        for (String name : BundledModels.names()) {
            bundled.getItems().add(item(name, "menu-bundled-" + name, () -> model.openBundled(name)));
        }
        MenuItem image = item("Open image\u2026", "menu-open-image", this::chooseImage);
        // compare mode's second model: loaded and run in the background by the model, like any model
        MenuItem compareModel = item("Compare with model\u2026", "menu-compare-model", () -> {
            Path folder = chooser.modelFolder(owner.get());
            if (folder != null) {
                model.setCompareModel(folder.toString());
            }
        });
        MenuItem compareGguf = item("Compare with GGUF file\u2026", "menu-compare-gguf", () -> {
            Path gguf = chooser.modelFile(owner.get());
            if (gguf != null) {
                model.setCompareModel(gguf.toString());
            }
        });
        MenuItem stopComparing = item("Stop comparing models", "menu-stop-compare-model", () -> model.setCompareModel(""));
        stopComparing.disableProperty().bind(Bindings.createBooleanBinding(() -> !model.state().hasCompareModel(), model.stateProperty()));
        MenuItem openSession = item("Open session\u2026", "menu-open-session", () -> {
            Path f = chooser.sessionToOpen(owner.get());
            if (f != null) {
                model.openSession(f);
            }
        });
        MenuItem saveSession = item("Save session as\u2026", "menu-save-session", () -> {
            Path f = chooser.sessionToSave(owner.get());
            if (f != null) {
                model.saveSession(f);
            }
        });
        MenuItem exportView = item("Export view\u2026", "menu-export-view", () -> {
            Page p = selectedPage();
            if (p != null) {
                exportPage(p);
            }
        });
        exportView.setAccelerator(new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN));
        MenuItem exportAll = item("Export all\u2026", "menu-export-all", this::exportAll);
        MenuItem quit = item("Quit", "menu-quit", () -> {
            Window w = owner.get();
            if (w != null) {
                w.hide();
            }
        });
        file.getItems().setAll(open, openFile, bundled, recent, new SeparatorMenuItem(), image, new SeparatorMenuItem(), compareModel, compareGguf,
                stopComparing, new SeparatorMenuItem(), openSession,
                saveSession, new SeparatorMenuItem(), exportView, exportAll, new SeparatorMenuItem(), quit);
        return new MenuBar(file, EditMenu.create(model, this::item), viewMenu(), helpMenu());
    }

    /** View: the light or dark theme (kept in the session). */
    private Menu viewMenu() {
        ToggleGroup themes = new ToggleGroup();
        for (RadioMenuItem item : new RadioMenuItem[] {light, dark}) {
            item.setToggleGroup(themes);
            Theme theme = item == light ? Theme.LIGHT : Theme.DARK;
            item.setId(item == light ? "menu-light-theme" : "menu-dark-theme");
            item.setOnAction(e -> model.setTheme(theme));
            menuItems.put(item.getId(), item);
        }
        return new Menu("View", null, light, dark);
    }

    /** Help: Methods (every measure shown, its definition, paper and colours). */
    private Menu helpMenu() {
        MenuItem methodsItem = item("Methods…", "menu-methods", () -> {
            Page p = selectedPage();
            showMethods(p == null ? null : p.title());
        });
        methodsItem.setAccelerator(new KeyCodeCombination(KeyCode.F1));
        return new Menu("Help", null, methodsItem);
    }

    /** Ctrl+Enter analyses; the arrow keys move the selected head on the model view and the head page. */
    void installKeys(Scene scene) {
        KeyboardShortcuts.install(scene, () -> model.analyse(text.getText()), () -> {
            Page p = selectedPage();
            return p != null && (p.title().equals(ModelViewPage.TITLE) || p.title().equals(HeadDetailPage.TITLE));
        }, (dLayer, dHead) -> {
            Session s = model.session();
            if (s != null) {
                int layers = s.result().attention().layers();
                int heads = s.result().attention().heads();
                model.select(Math.max(0, Math.min(layers - 1, s.layer() + dLayer)), Math.max(0, Math.min(heads - 1, s.headOrFirst() + dHead)));
            }
            return 0;
        });
    }

    private MenuItem item(String label, String id, Runnable action) {
        MenuItem item = new MenuItem(label);
        item.setId(id);
        item.setOnAction(e -> action.run());
        if (id != null) {
            menuItems.put(id, item);
        }
        return item;
    }

    /** Fires the menu item with this id, as a click on it would (menus live in popups that tests cannot reach). */
    void fireMenu(String id) {
        MenuItem item = menuItems.get(id);
        if (item == null) {
            throw new IllegalArgumentException("no menu item " + id);
        }
        item.fire();
    }

    private void rebuildRecent() {
        recent.getItems().clear();
        for (String m : model.recentModels()) {
            recent.getItems().add(item(m, null, () -> model.openModel(m)));
        }
        recent.setDisable(recent.getItems().isEmpty());
    }

    private HBox inputBar() {
        modelName.setId("model-name");
        modelName.getStyleClass().add("hw-bold");
        text.setId("text");
        text.setPromptText(TEXT_PROMPT);
        text.setOnAction(e -> model.analyse(text.getText()));
        model.runner().specProperty().addListener((o, was, now) -> showTextBoxFor(imageOnly()));
        HBox.setHgrow(text, Priority.ALWAYS);
        Button analyse = new Button("Analyse");
        analyse.setId("analyse");
        analyse.setOnAction(e -> model.analyse(text.getText()));
        compare.setId("compare-text");
        compare.setPromptText("compare with (optional)");
        compare.setPrefWidth(220);
        compare.setOnAction(e -> model.setCompareText(compare.getText()));
        Button image = new Button("Image\u2026");
        image.setId("image");
        image.disableProperty().bind(Bindings.createBooleanBinding(() -> model.runner().specProperty().get() == null
                || model.runner().specProperty().get().vision() == null && !model.takesImageWithText(), model.runner().specProperty()));
        image.setOnAction(e -> chooseImage());
        Button export = new Button("Export\u2026");
        export.setId("export");
        export.setOnAction(e -> {
            Page p = selectedPage();
            if (p != null) {
                exportPage(p);
            }
        });
        HBox bar = new HBox(8, modelName, text, analyse, compare, image, export);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(6, 8, 6, 8));
        return bar;
    }

    private static final String TEXT_PROMPT = "A sentence to analyse (Enter runs)";

    /** The model takes an image and no text (a ViT; a vision-language model takes both). */
    private boolean imageOnly() {
        var spec = model.runner().specProperty().get();
        return spec != null && spec.vision() != null && !model.takesImageWithText();
    }

    /**
     * An image model has no use for the text box: it is emptied and disabled, its prompt saying what the model takes
     * (the session keeps the text, and the box shows it again when a text model opens).
     */
    private void showTextBoxFor(boolean imageOnly) {
        text.setDisable(imageOnly);
        text.setPromptText(imageOnly ? "an image model: open an image (Image\u2026) or drop one on the window" : TEXT_PROMPT);
        if (imageOnly) {
            text.clear();
        } else if (text.getText().isEmpty() && model.state() != null) {
            text.setText(model.state().text());
        }
    }

    private StatusBar statusBar() {
        StatusBar bar = new StatusBar();
        bar.setId("status-bar");
        bar.setText("");
        Label status = new Label();
        status.setId("status");
        status.textProperty().bind(Bindings.when(model.runner().tasks().busyProperty()).then(model.runner().tasks().messageProperty()).otherwise(model.statusProperty()));
        statusFailed = model.failedProperty().and(model.runner().tasks().busyProperty().not());
        statusFailed.addListener((o, was, now) -> {
            status.getStyleClass().remove("hw-status-failed");
            if (now) {
                status.getStyleClass().add("hw-status-failed");
            }
        });
        bar.progressProperty().bind(model.runner().tasks().progressProperty());
        Button cancel = new Button("Cancel");
        cancel.setId("cancel");
        cancel.visibleProperty().bind(model.runner().tasks().busyProperty());
        cancel.managedProperty().bind(model.runner().tasks().busyProperty());
        cancel.setOnAction(e -> model.cancel());
        bar.getLeftItems().add(status);
        bar.getRightItems().add(cancel);
        return bar;
    }

    private void chooseImage() {
        Path f = chooser.image(owner.get());
        if (f != null) {
            model.setImage(f);
        }
    }

    /** "Export…" of one page: its figure, in the format and at the scale chosen, written in the background. */
    void exportPage(Page page) {
        OwnFigure own = page.ownFigure();
        if (own != null) {
            exportOwn(own);
            return;
        }
        Session s = model.session();
        ViewKind view = page.exportView();
        if (s == null) {
            return;
        }
        String missing = Exporter.unavailable(view, s);
        if (missing != null) {
            model.report(new HeadwiseException("cannot export " + view.cliName() + ": " + missing));
            return;
        }
        Chooser.ExportTarget target = chooser.exportFile(owner.get(), view.title(), view.cliName());
        if (target == null) {
            return;
        }
        if (!ensureIdle()) {
            return;
        }
        model.background("Exporting " + view.title() + "\u2026", p -> {
            Exporter.exportView(view, s, target.format(), target.scale(), target.file());
            return target.file();
        }, f -> model.report("Exported " + view.title() + " to " + f));
    }

    /** "Export…" of a page's own figure (probing, corpus): the figure as the page shows it, written in the background. */
    private void exportOwn(OwnFigure own) {
        if (own.figure() == null) {
            model.report(new HeadwiseException("cannot export " + own.title() + ": " + own.missing()));
            return;
        }
        Chooser.ExportTarget target = chooser.exportFile(owner.get(), own.title(), own.baseName());
        if (target == null || !ensureIdle()) {
            return;
        }
        model.background("Exporting " + own.title() + "\u2026", p -> {
            Exporter.writeFigure(own.figure(), own.title(), target.format(), target.scale(), target.file());
            return target.file();
        }, f -> model.report("Exported " + own.title() + " to " + f));
    }

    /** File > Export all: every view and data file of the session, with index.html, in the background. */
    void exportAll() {
        Session s = model.session();
        if (s == null) {
            return;
        }
        Path folder = chooser.exportFolder(owner.get());
        if (folder == null || !ensureIdle()) {
            return;
        }
        model.background("Exporting everything to " + folder + "\u2026", p -> Exporter.exportAll(s, folder, 2),
                summary -> model.report("Exported " + summary.files().size() + " files to " + folder
                        + (summary.skipped().isEmpty() ? "" : " (" + summary.skipped().size() + " views not computed; see index.html)")));
    }

    private boolean ensureIdle() {
        if (model.isBusy()) {
            model.report(new HeadwiseException("wait for the running job to finish (or cancel it) before exporting"));
            return false;
        }
        return true;
    }

    private void dragOver(DragEvent e) {
        if (e.getDragboard().hasFiles()) {
            e.acceptTransferModes(TransferMode.COPY);
        }
        e.consume();
    }

    /** A dropped folder or .gguf file opens as a model, an image becomes the input, a .json opens as a session. */
    private void dropped(DragEvent e) {
        List<File> files = e.getDragboard().hasFiles() ? e.getDragboard().getFiles() : List.of();
        e.setDropCompleted(!files.isEmpty());
        e.consume();
        if (!files.isEmpty()) {
            open(files.get(0).toPath());
        }
    }

    /** What a drop does with {@code file}. */
    void open(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(file) || name.endsWith(".gguf")) {
            model.openModel(file.toString());
        } else if (name.endsWith(".json")) {
            model.openSession(file);
        } else if (name.matches(".*\\.(png|jpe?g|gif|bmp)")) {
            model.setImage(file);
        } else {
            model.report(HeadwiseException.inFile(file, "drop a model folder, a .gguf file, an image or a session (.json)"));
        }
    }
}
