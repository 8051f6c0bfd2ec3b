#include "engine/run_files.hpp"

#include <sys/stat.h>

#include <optional>
#include <tuple>

#include "engine/atomic_file.hpp"

namespace banensim::engine {

namespace {

// What a path refers to: (device, inode) of the file, or for a name not yet
// taken (device, inode) of its directory and the name. Empty when neither
// can be found (check_writable reports why).
struct Identity {
  dev_t device = 0;
  ino_t inode = 0;
  std::string name;  // set for a name not yet taken
  bool operator==(const Identity& other) const {
    return std::tie(device, inode, name) == std::tie(other.device, other.inode, other.name);
  }
};

std::optional<Identity> identity_of(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) return Identity{st.st_dev, st.st_ino, ""};
  const std::filesystem::path dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  if (::stat(dir.c_str(), &st) == 0) return Identity{st.st_dev, st.st_ino, path.filename().string()};
  return std::nullopt;
}

}  // namespace

void RunFiles::add_input(const std::filesystem::path& file) { inputs_.push_back(file); }

void RunFiles::add_output(const std::filesystem::path& file, std::string role) {
  outputs_.emplace_back(file, std::move(role));
}

void RunFiles::check() const {
  std::vector<std::pair<Identity, std::size_t>> seen;  // outputs checked so far
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    const auto& [path, role] = outputs_[i];
    try {
      check_writable(path);
    } catch (const OutputRefused& e) {
      throw OutputRefused(role + " " + e.what());
    }
    const std::optional<Identity> id = identity_of(path);
    if (!id) continue;
    for (const auto& input : inputs_) {
      struct stat st {};
      if (::stat(input.c_str(), &st) != 0) continue;
      if (id->name.empty() && id->device == st.st_dev && id->inode == st.st_ino) {
        throw OutputRefused(role + " cannot write '" + path.string() + "': it is " +
                            (input.lexically_normal() == path.lexically_normal() ? std::string("an input of this run")
                                                                                  : "the same file as the input '" +
                                                                                        input.string() + "'") +
                            "; writing it would destroy what the run reads");
      }
    }
    for (const auto& [other, j] : seen) {
      if (other == *id) {
        throw OutputRefused(role + " and " + outputs_[j].second + " name the same file '" + path.string() +
                            "'" + (outputs_[j].first == path ? "" : " (as '" + outputs_[j].first.string() + "')"));
      }
    }
    seen.emplace_back(*id, i);
  }
}

std::string beside(const std::string& out, const std::string& suffix) {
  const std::string stem = out.size() > 4 && out.ends_with(".csv") ? out.substr(0, out.size() - 4) : out;
  return stem + suffix;
}

}  // namespace banensim::engine
