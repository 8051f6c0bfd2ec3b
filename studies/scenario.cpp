#include "studies/scenario.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "models/calibration.hpp"

namespace banensim::studies {

Scenario load_scenario(const std::string& file, const Overrides& overrides, const std::string& origin) {
  const auto& schema = models::banenafspraak_schema();
  models::ResolvedScenario r = models::load_scenario(file, schema, models::banenafspraak_check);
  if (!overrides.empty()) models::apply_overrides(r, schema, overrides, origin, models::banenafspraak_check);
  models::BanenafspraakModel model(models::params_from_scenario(r));
  std::string name = model.params().scenario.name;
  if (name.empty()) name = std::filesystem::path(file).stem().string();
  return Scenario{file, name, std::move(r), std::move(model), overrides};
}

models::ResolvedScenario derive(const models::ResolvedScenario& base, const Overrides& overrides,
                                const std::string& origin) {
  models::ResolvedScenario r = base;
  models::apply_overrides(r, models::banenafspraak_schema(), overrides, origin, models::banenafspraak_check);
  return r;
}

std::vector<StaleCalibration> stale_calibrations(const std::vector<const Scenario*>& scenarios) {
  std::vector<StaleCalibration> out;
  for (const Scenario* s : scenarios) {
    std::string reason = models::calibration_mismatch(s->model.params());
    if (reason.empty()) continue;
    auto it = std::find_if(out.begin(), out.end(), [&](const StaleCalibration& c) { return c.reason == reason; });
    if (it == out.end()) it = out.insert(out.end(), StaleCalibration{std::move(reason), {}, {}});
    if (std::find(it->files.begin(), it->files.end(), s->file) == it->files.end()) it->files.push_back(s->file);
    if (std::find(it->names.begin(), it->names.end(), s->name) == it->names.end()) it->names.push_back(s->name);
  }
  return out;
}

std::vector<std::string> data_file_names(const models::ResolvedScenario& r) {
  std::vector<std::string> files;
  for (const std::string& key : r.path_keys) files.push_back(r.string(key));
  return files;
}

std::string data_lines(const models::ResolvedScenario& r) {
  std::string text;
  for (const std::string& key : r.path_keys) text += "# data " + key + " fnv1a64 " + r.data_file(key).digest + "\n";
  return text;
}

std::string data_changes(const std::string& old_header, const std::string& new_header,
                         const models::ResolvedScenario& now) {
  std::istringstream in(old_header);
  std::string line, changes;
  const std::string prefix = "# data ", point_prefix = "# point data ", hash_word = " fnv1a64 ";
  while (std::getline(in, line)) {
    if (line.rfind(point_prefix, 0) == 0) {
      // "# point data KEY = PATH fnv1a64 DIGEST": the same KEY = PATH in the new header, another digest.
      const std::size_t at = line.rfind(hash_word);
      if (at == std::string::npos) continue;
      const std::string what = line.substr(0, at + hash_word.size());
      const std::size_t in_new = new_header.find("\n" + what);
      if (in_new == std::string::npos) continue;
      const std::size_t from = in_new + 1 + what.size();
      const std::string current = new_header.substr(from, new_header.find('\n', from) - from);
      const std::string digest = line.substr(at + hash_word.size());
      if (digest == current) continue;
      changes += (changes.empty() ? "" : "; ") + line.substr(point_prefix.size(), at - point_prefix.size()) +
                 " (a data file the study's points name) has changed since the file was begun (content fnv1a64 " +
                 digest + " then, " + current + " now)";
      continue;
    }
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream words(line.substr(prefix.size()));
    std::string key, hash_name, digest;
    words >> key >> hash_name >> digest;
    if (now.path_keys.count(key) == 0) continue;
    const std::string current = now.data_file(key).digest;
    if (digest == current) continue;
    changes += (changes.empty() ? "" : "; ") + key + " (" + now.string(key) +
               ") has changed since the file was begun (content fnv1a64 " + digest + " then, " + current + " now)";
  }
  return changes;
}

}  // namespace banensim::studies
