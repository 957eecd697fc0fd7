package headwise.app.export;

import headwise.app.session.Session;

import headwise.engine.analysis.Sinks;
import headwise.engine.run.AnalysisResult;
import headwise.engine.run.ModelInput;

import java.util.ArrayList;
import java.util.List;

/**
 * The token table as CSV: position, id, token (as the tokenizer wrote it), character start and end in the text
 * (empty for ids and images), sink rate (%, ε = 0.3) and the mean sink score over all layers and heads.
 */
final class TokenTable {

    private TokenTable() {
    }

    static String csv(Session s) {
        AnalysisResult r = s.result();
        ModelInput in = r.input();
        double[][][] scores = Sinks.scores(r.attention(), r.spec().causal());
        double[] rate = Sinks.rate(scores, Sinks.DEFAULT_EPSILON);
        Csv csv = new Csv().row(List.of("position", "id", "token", "start", "end", "sink_rate", "mean_sink_score"));
        for (int t = 0; t < in.length(); t++) {
            double sum = 0;
            int count = 0;
            for (double[][] layer : scores) {
                for (double[] head : layer) {
                    sum += head[t];
                    count++;
                }
            }
            List<Object> row = new ArrayList<>();
            row.add(t);
            row.add(in.ids()[t]);
            row.add(in.tokens()[t]);
            row.add(in.offsets() == null ? null : in.offsets()[t][0]);
            row.add(in.offsets() == null ? null : in.offsets()[t][1]);
            row.add(rate[t]);
            row.add(sum / count);
            csv.row(row);
        }
        return csv.toString();
    }
}
