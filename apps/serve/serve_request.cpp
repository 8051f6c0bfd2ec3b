#include "apps/serve/serve_request.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "engine/text_format.hpp"

namespace banensim::app::serve {

namespace {

constexpr std::size_t kMaxClientChars = 64;
constexpr std::size_t kMaxValueChars = 100;
constexpr std::size_t kMaxKeyChars = 200;

// The text of the number that the top-level field `field` holds in `body`,
// as written: nlohmann::json keeps a float's nearest double, not its digits
// (9007199254740993.0 reads as ...992). `body` has parsed, with no key twice.
std::string top_level_number_text(std::string_view body, const std::string& field) {
  class Finder : public nlohmann::json_sax<nlohmann::json> {
   public:
    explicit Finder(const std::string& wanted) : wanted_(wanted) {}
    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t& text) override {
      if (at_field_) text_ = text;
      return value();
    }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override { return open(); }
    bool key(string_t& name) override {
      at_field_ = depth_ == 1 && name == wanted_;
      return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception&) override { return false; }
    const std::string& text() const { return text_; }

   private:
    bool value() {
      at_field_ = false;
      return true;
    }
    bool open() {
      ++depth_;
      return value();
    }
    bool close() {
      --depth_;
      return value();
    }
    const std::string& wanted_;
    int depth_ = 0;
    bool at_field_ = false;
    std::string text_;
  };
  Finder finder(field);
  nlohmann::json::sax_parse(body, &finder);
  return finder.text();
}

// A JSON number's text (-?digits[.digits][(e|E)[+-]digits]) as a whole
// number, decided on the digits as the scenario loader decides "2027.0" for
// an integer key (models::override_value_text): 2048.0 and 2.048e3 are 2048,
// -0.0 is 0; 2048.5 and 1e-400 are not whole (though the latter reads as the
// double 0), 1e300 is whole and too large, -1.0 negative.
enum class Whole { kValue, kNotWhole, kNegative, kTooLarge };

std::pair<Whole, std::uint64_t> whole_value(std::string_view text) {
  using Kind = engine::WholeNumberText::Kind;
  const engine::WholeNumberText w = engine::whole_number_text(text, 20);  // 2^64 has 20 digits
  if (w.kind == Kind::kNotNumber || w.kind == Kind::kFraction) return {Whole::kNotWhole, 0};
  if (w.kind == Kind::kWhole && w.digits.empty()) return {Whole::kValue, 0};  // 0, -0.0, 0e7
  if (w.negative) return {Whole::kNegative, 0};
  if (w.kind == Kind::kTooLong) return {Whole::kTooLarge, 0};
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(w.digits.data(), w.digits.data() + w.digits.size(), value);
  if (ec != std::errc() || end != w.digits.data() + w.digits.size()) return {Whole::kTooLarge, 0};
  return {Whole::kValue, value};
}

// A top-level field holding a whole number in [min, max]: a JSON integer, or
// a JSON number with a fraction or exponent whose value is exactly whole
// (2048.0, as Python writes a float; NumPy's numbers are floats).
std::uint64_t whole_number(const nlohmann::json& v, std::string_view body, const std::string& field,
                           std::uint64_t min, std::uint64_t max) {
  const std::string range = "from " + std::to_string(min) + " to " + std::to_string(max);
  const auto refuse = [&](const std::string& written, const std::string& constraint) {
    return RequestError("field '" + field + "' = " + quoted_for_message(written) + ": " + constraint);
  };
  std::uint64_t n = 0;
  std::string written;
  if (v.is_number_unsigned()) {
    n = v.get<std::uint64_t>();
    written = std::to_string(n);
  } else if (v.is_number_integer()) {  // negative, or -0
    if (v.get<std::int64_t>() < 0) throw refuse(v.dump(), "must be " + range);
    written = v.dump();
  } else if (v.is_number_float()) {
    written = top_level_number_text(body, field);
    const auto [kind, value] = whole_value(written);
    if (kind == Whole::kNotWhole) throw refuse(written, "must be a whole number " + range);
    if (kind != Whole::kValue) throw refuse(written, "must be " + range);
    n = value;
  } else {
    throw refuse(v.dump(), "must be a whole number " + range);
  }
  if (n < min || n > max) throw refuse(written, "must be " + range);
  return n;
}

// A value as `--set KEY=VALUE` takes it.
std::string value_text(const std::string& key, const nlohmann::json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number_float()) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v.get<double>());  // shortest text that reads back
    return std::string(buf, r.ptr);
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() > kMaxValueChars) {
      throw RequestError("set '" + quoted_for_message(key) + "': value longer than " + std::to_string(kMaxValueChars) +
                         " characters");
    }
    for (const char c : s) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f) {
        throw RequestError("set '" + quoted_for_message(key) + "' = " + quoted_for_message(s) +
                           ": a value holds printable ASCII only");
      }
    }
    return s;
  }
  throw RequestError("set '" + quoted_for_message(key) + "' = " + quoted_for_message(v.dump()) +
                     ": must be a number or true/false");
}

// Refuses a key given twice in one object, which nlohmann::json (as most
// parsers) would take silently, keeping the last value: {"seed": 1, "seed": 2}
// would run seed 2 where the sender may have meant 1. Follows the parser's
// events (its callback), one frame per object or array open; throws
// RequestError at the second value of a repeated key, naming the key, where
// it is and both values.
class DuplicateKeys {
 public:
  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        frames_.push_back({event == E::object_start, {}, {}});
        break;
      case E::key:
        frames_.back().key = parsed.get<std::string>();
        break;
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        completed(parsed);
        break;
      case E::value:
        completed(parsed);
        break;
    }
    return true;  // keep everything: this only watches
  }

 private:
  struct Frame {
    bool object;
    std::string key;                              // an object's key being read
    std::map<std::string, std::string> values;    // an object's keys so far, each with its value for a message
  };

  // A value has been read: the value of the innermost object's current key.
  void completed(const nlohmann::json& value) {
    if (frames_.empty() || !frames_.back().object) return;
    Frame& f = frames_.back();
    const std::string text =
        value.is_object() ? "{...}" : value.is_array() ? "[...]" : quoted_for_message(value.dump());
    const auto [it, fresh] = f.values.emplace(f.key, text);
    if (fresh) return;
    std::string where;
    if (frames_.size() == 1) {
      where = "field '" + quoted_for_message(f.key) + "'";
    } else if (frames_.size() == 2 && frames_[0].key == "set") {
      where = "set '" + quoted_for_message(f.key) + "'";
    } else {
      std::string path;
      for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
        path += frames_[i].object ? "/" + quoted_for_message(frames_[i].key) : "/[]";
      }
      where = "key '" + quoted_for_message(f.key) + "' in " + path;
    }
    throw RequestError(where + " given twice (" + it->second + ", then " + text +
                       "): each key at most once per object");
  }

  std::vector<Frame> frames_;
};

}  // namespace

std::string quoted_for_message(std::string_view text) {
  std::string out;
  std::size_t n = 0;
  for (const char c : text) {
    if (++n > 80) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '\\') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

ComputeRequest parse_compute_request(std::string_view body, const RequestLimits& limits,
                                     const models::ParamSchema& schema) {
  if (body.size() > limits.max_body_bytes) {
    throw RequestError("request body of " + std::to_string(body.size()) + " bytes: must be at most " +
                       std::to_string(limits.max_body_bytes) + " bytes");
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body, DuplicateKeys());
  } catch (const nlohmann::json::exception& e) {
    // A syntax error (parse_error) or a number beyond a double (out_of_range
    // 406, e.g. 1e400): "[json.exception.parse_error.101] parse error at
    // line 1, column 2: ..." without the tag.
    std::string what = e.what();
    if (const auto cut = what.find("] "); cut != std::string::npos) what = what.substr(cut + 2);
    throw RequestError("request body is not valid JSON: " + quoted_for_message(what));
  }
  if (!doc.is_object()) throw RequestError("request body must be one JSON object {\"client\": ..., \"set\": {...}}");

  ComputeRequest r;
  r.seed = limits.default_seed;
  r.paths = limits.default_paths;
  bool have_client = false;
  for (const auto& [field, v] : doc.items()) {
    if (field == "client") {
      if (!v.is_string()) throw RequestError("field 'client': must be a string");
      const auto& s = v.get_ref<const std::string&>();
      bool ok = !s.empty() && s.size() <= kMaxClientChars;
      for (const char c : s) {
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-');
      }
      if (!ok) {
        throw RequestError("field 'client' = " + quoted_for_message(s) + ": must be 1 to " +
                           std::to_string(kMaxClientChars) + " characters A-Z, a-z, 0-9, _ or -");
      }
      r.client = s;
      have_client = true;
    } else if (field == "seed") {
      r.seed = whole_number(v, body, field, 0, UINT64_MAX);
    } else if (field == "paths") {
      r.paths = whole_number(v, body, field, 1, limits.max_paths);
    } else if (field == "set") {
      if (!v.is_object()) throw RequestError("field 'set': must be an object {\"KEY\": VALUE, ...}");
      if (v.size() > limits.max_settings) {
        throw RequestError("field 'set' has " + std::to_string(v.size()) + " keys: at most " +
                           std::to_string(limits.max_settings));
      }
      for (const auto& [key, value] : v.items()) {
        if (key.empty() || key.size() > kMaxKeyChars) {
          throw RequestError("set: a key must be 1 to " + std::to_string(kMaxKeyChars) + " characters");
        }
        if (const models::ParamSpec* spec = models::find_param(schema, key);
            spec != nullptr && (spec->type == models::ParamType::kPath || spec->type == models::ParamType::kString)) {
          throw RequestError("set '" + key + "': names a " + (spec->type == models::ParamType::kPath ? "file" : "label") +
                             " and cannot be set over HTTP (the server reads only the files it was started with)");
        }
        r.settings.emplace_back(key, value_text(key, value));
      }
    } else {
      throw RequestError("unknown field '" + quoted_for_message(field) + "' (expected client, seed, paths, set)");
    }
  }
  if (!have_client) throw RequestError("field 'client' is missing (the page's id, 1 to 64 characters A-Z, a-z, 0-9, _ or -)");
  return r;
}

}  // namespace banensim::app::serve
