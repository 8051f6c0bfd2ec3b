#include "studies/point_runner.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <stdexcept>

namespace banensim::studies {

namespace {

const std::string kAfresh = "\n(run without --resume to start afresh in that file)";

// The first bytes of the file a resume would read (the partial file, else
// the complete one): enough for its header.
std::string existing_header(const std::string& path) {
  for (const std::filesystem::path& p : {engine::ResultsJournal::partial_path(path), std::filesystem::path(path)}) {
    std::ifstream in(p, std::ios::binary);
    if (!in) continue;
    std::string text(65536, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    return text;
  }
  return "";
}

// Opens the result file for `n_items` items; every refusal is a StudyError
// naming the file and why.
engine::ResultsJournal open_result_file(const ResultFile& file, const std::vector<engine::JournalColumn>& columns,
                                       std::uint64_t n_items, const std::string& items, const Scenario& base,
                                       ExecutionContext& ctx) {
  const auto note = [&](const std::string& text) {
    if (ctx.on_note) ctx.on_note(text);
  };
  try {
    engine::ResultsJournal j = engine::ResultsJournal::open(file.path, file.provenance, columns, file.resume);
    if (j.records().size() > n_items) {
      throw StudyError(file.path + ": holds " + std::to_string(j.records().size()) + " rows but this study has " +
                       std::to_string(n_items) + " " + items + kAfresh);
    }
    if (file.resume && (!j.records().empty() || j.cut_torn_line())) {
      note("resuming " + (j.resumed_complete_file() ? file.path : engine::ResultsJournal::partial_path(file.path).string()) +
           ": " + std::to_string(j.records().size()) + " of " + std::to_string(n_items) + " " + items + " done" +
           (j.cut_torn_line() ? " (a torn last line was dropped)" : ""));
    }
    if (j.discarded_partial()) {
      note("note: " + engine::ResultsJournal::partial_path(file.path).string() +
           " held the rows of an interrupted run; started afresh (--resume would have continued it)");
    }
    return j;
  } catch (const engine::JournalMismatch& e) {
    const std::string changed = data_changes(existing_header(file.path), file.provenance, base.resolved);
    if (!changed.empty()) {
      throw StudyError(file.path + ": was begun on other data, so it cannot be resumed: " + changed + kAfresh);
    }
    throw StudyError(e.what() + kAfresh);
  } catch (const engine::JournalDamaged& e) {
    throw StudyError(std::string(e.what()) + "; nothing was changed" + kAfresh);
  } catch (const engine::JournalBusy& e) {
    throw StudyError(e.what());
  }
}

}  // namespace

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string q = "\"";
  for (char c : text) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void csv_number(std::ostream& os, double x) {
  os << ",";
  if (std::isfinite(x)) os << x;
}

void csv_probability(std::ostream& os, const engine::Proportion& p) {
  const engine::Interval ci = p.wilson();
  csv_number(os, p.estimate());
  csv_number(os, ci.low);
  csv_number(os, ci.high);
}

void csv_difference(std::ostream& os, const engine::RunningStats& d) {
  const engine::Interval ci = engine::mean_interval(d);
  csv_number(os, d.mean());
  csv_number(os, ci.low);
  csv_number(os, ci.high);
}

std::size_t PointTable::column(const std::string& name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  throw std::out_of_range("no column " + name + " in the study's rows");
}

double PointTable::number(std::size_t row, std::size_t col) const {
  // std::from_chars, not std::stod: the cells were written with
  // std::to_chars, and stod throws on a denormal.
  const std::string& text = rows.at(row).at(col);
  double v = std::nan("");
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return ec == std::errc() && end == text.data() + text.size() ? v : std::nan("");
}

std::vector<double> PointTable::numbers(const std::string& name) const {
  const std::size_t c = column(name);
  std::vector<double> values;
  values.reserve(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) values.push_back(number(i, c));
  return values;
}

std::vector<engine::JournalColumn> point_columns(const PointSet& points, const std::vector<OutputSpec>& outputs) {
  std::vector<engine::JournalColumn> columns = points.label_columns;
  for (const OutputSpec& o : outputs) {
    for (auto& c : o.columns()) columns.push_back(std::move(c));
  }
  columns.push_back({"seed", engine::JournalColumn::Kind::kNumber});
  columns.push_back({"paths", engine::JournalColumn::Kind::kNumber});
  return columns;
}

namespace {

// check_points' work: point i of base k derives with overrides(i, k).
PointInputs check_all(const std::vector<const Scenario*>& bases, const PointSet& points,
                      const std::function<Overrides(std::uint64_t, std::size_t)>& overrides) {
  std::vector<models::Problem> problems;
  std::set<std::string> seen_problems, seen_files, point_data;
  PointInputs inputs;
  for (std::uint64_t i = 0; i < points.size; ++i) {
    for (std::size_t k = 0; k < bases.size(); ++k) {
      try {
        const models::ResolvedScenario r = derive(bases[k]->resolved, overrides(i, k),
                                                  points.origin ? points.origin(i)
                                                                : points.noun + " " + std::to_string(i));
        for (const std::string& f : data_file_names(r)) {
          if (seen_files.insert(f).second) inputs.files.push_back(f);
        }
        for (const std::string& key : r.path_keys) {
          if (r.string(key) == bases[k]->resolved.string(key)) continue;
          point_data.insert("# point data " + key + " = " + r.string(key) + " fnv1a64 " + r.data_file(key).digest + "\n");
        }
      } catch (const models::InputError& e) {
        for (const auto& p : e.problems()) {
          // A problem once, however many points share it; a file's own problem
          // (no key: "file not found") by its file and line, so that two files'
          // are two problems.
          const std::string at = p.key.empty() ? p.where.file + ":" + std::to_string(p.where.line) + ": " : "";
          if (seen_problems.insert(at + p.key + "=" + p.value + ": " + p.constraint).second) problems.push_back(p);
        }
      }
    }
  }
  if (!problems.empty()) throw models::InputError(problems);
  for (const std::string& line : point_data) inputs.data_lines += line;
  return inputs;
}

// The one point loop. `row_outputs(i, cfg)` runs point i with `cfg` (seed,
// paths, threads, cancel set) and returns its output cells and the paths
// run, or no value when cancelled.
using PointEval =
    std::function<std::optional<std::pair<std::vector<std::string>, std::uint64_t>>(std::uint64_t, const engine::RunConfig&)>;

PointRun point_loop(const Scenario& base, const PointSet& points, const std::vector<engine::JournalColumn>& columns,
                    const RunSettings& settings, const std::optional<ResultFile>& file, ExecutionContext& ctx,
                    const PointEval& row_outputs) {
  const std::string& items = points.items;

  // The result file is the root's alone; every rank learns where to start.
  std::optional<engine::ResultsJournal> journal;
  PointRun result;
  const std::uint64_t n_done = ctx.cluster->on_root([&]() -> std::uint64_t {
    if (!file) return 0;
    journal.emplace(open_result_file(*file, columns, points.size, items, base, ctx));
    for (const std::string& record : journal->records()) result.table.rows.push_back(engine::split_csv_record(record));
    return journal->records().size();
  });
  result.resumed = n_done;

  auto eval = [&](std::uint64_t i) -> std::optional<std::string> {
    engine::RunConfig cfg;
    cfg.seed = settings.seed;  // the same seed at every point: common random numbers
    cfg.n_paths = settings.paths;
    cfg.block_size = settings.block_size;
    cfg.n_threads = ctx.threads;
    cfg.cancel = ctx.cancel;
    if (ctx.is_root() && ctx.on_point) ctx.on_point(i, points.size);
    const auto outputs = row_outputs(i, cfg);  // on this process's threads
    if (!outputs || ctx.cancelled()) return std::nullopt;
    std::string row;
    for (const std::string& cell : points.labels(i)) row += (row.empty() ? "" : ",") + csv_field(cell);
    for (const std::string& cell : outputs->first) row += "," + cell;
    row += "," + std::to_string(settings.seed) + "," + std::to_string(outputs->second);
    return row;
  };
  auto consume = [&](std::uint64_t, std::string&& row) {
    if (journal) journal->append(row);
    result.table.rows.push_back(engine::split_csv_record(row));
  };
  result.completed = ctx.cluster->ordered_map(n_done, points.size, eval, consume);
  result.root = ctx.is_root();
  for (const auto& c : columns) result.table.columns.push_back(c.name);
  if (result.completed && result.root && journal) {
    // Every row is in: the file takes its place, after the earlier run's files made from its rows are gone.
    for (const std::string& c : file->companions) {
      std::error_code ec;
      std::filesystem::remove(c, ec);
    }
    if (file->before_commit) file->before_commit();
    journal->commit();
  }
  return result;
}

}  // namespace

PointInputs check_points(const Scenario& base, const PointSet& points) {
  return check_all({&base}, points, [&](std::uint64_t i, std::size_t) { return points.overrides(i); });
}

PointInputs check_paired_points(const std::vector<Scenario>& bases, const std::vector<Overrides>& last,
                                const PointSet& points) {
  std::vector<const Scenario*> b;
  for (const auto& s : bases) b.push_back(&s);
  return check_all(b, points, [&](std::uint64_t i, std::size_t k) {
    Overrides ov = points.overrides(i);
    ov.insert(ov.end(), last.at(k).begin(), last.at(k).end());
    return ov;
  });
}

PointRun run_points(const Scenario& base, const PointSet& points, const std::vector<OutputSpec>& outputs,
                    const RunSettings& settings, const std::optional<ResultFile>& file, ExecutionContext& ctx) {
  const auto& schema = models::banenafspraak_schema();
  return point_loop(base, points, point_columns(points, outputs), settings, file, ctx,
                    [&](std::uint64_t i, const engine::RunConfig& cfg)
                        -> std::optional<std::pair<std::vector<std::string>, std::uint64_t>> {
                      // Checked by check_points: the overrides are applied without the
                      // cross-key checks, which building the parameters runs on the snapshot.
                      models::ResolvedScenario r = base.resolved;
                      models::apply_overrides(r, schema, points.overrides(i), points.noun + " " + std::to_string(i));
                      const models::BanenafspraakModel model(models::params_from_scenario(r));
                      const engine::RunResult res = engine::run(model, cfg);
                      if (res.cancelled) return std::nullopt;
                      std::vector<std::string> cells;
                      for (const OutputSpec& o : outputs) {
                        for (std::string& cell : o.cells(res.tally.variant(0), model.layout())) cells.push_back(std::move(cell));
                      }
                      return std::pair{std::move(cells), res.n_paths};
                    });
}

PointRun run_paired_points(const std::vector<Scenario>& bases, const std::vector<Overrides>& last,
                           const PointSet& points, const std::vector<engine::JournalColumn>& output_columns,
                           const PairedCells& cells, const RunSettings& settings, const std::optional<ResultFile>& file,
                           ExecutionContext& ctx) {
  if (bases.empty() || last.size() != bases.size()) {
    throw std::invalid_argument("run_paired_points: one `last` override list per base scenario");
  }
  const auto& schema = models::banenafspraak_schema();
  std::vector<engine::JournalColumn> columns = points.label_columns;
  columns.insert(columns.end(), output_columns.begin(), output_columns.end());
  columns.push_back({"seed", engine::JournalColumn::Kind::kNumber});
  columns.push_back({"paths", engine::JournalColumn::Kind::kNumber});
  return point_loop(bases[0], points, columns, settings, file, ctx,
                    [&](std::uint64_t i, const engine::RunConfig& cfg)
                        -> std::optional<std::pair<std::vector<std::string>, std::uint64_t>> {
                      std::vector<models::BanenafspraakModel> models;
                      models.reserve(bases.size());
                      const std::string origin = points.noun + " " + std::to_string(i);
                      for (std::size_t k = 0; k < bases.size(); ++k) {
                        models::ResolvedScenario r = bases[k].resolved;
                        models::apply_overrides(r, schema, points.overrides(i), origin);
                        models::apply_overrides(r, schema, last[k], origin);
                        models.emplace_back(models::params_from_scenario(r));
                      }
                      const engine::RunResult res =
                          engine::run_paired(std::span<const models::BanenafspraakModel>(models), cfg);
                      if (res.cancelled) return std::nullopt;
                      std::vector<std::string> row = cells(res.tally, models[0].layout());
                      if (row.size() != output_columns.size()) {
                        throw std::logic_error("run_paired_points: the cells do not match the output columns");
                      }
                      return std::pair{std::move(row), res.n_paths};
                    });
}

}  // namespace banensim::studies
