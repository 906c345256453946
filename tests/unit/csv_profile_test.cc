// profile_csv: one pass in chunks on several threads gives the profile of
// read_csv + profile_table (counts, bins, grid; moments up to rounding),
// whatever the chunk size and thread count; records that straddle chunks
// (quoted newlines) are whole; errors name the file and the right line; a
// record past the limit is refused before it fills memory; derived bins of
// shards merge into those of the whole.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <unordered_map>

#include "common/gzip.h"
#include "monitor/csv_cells.h"
#include "temp_dir.h"
#include "vigil/drift_report.h"

namespace {

// 20,000 rows: normal, integer, categorical with quoted commas and newlines,
// a few missing values and a type error.
std::string sample_csv() {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> income(50000, 9000);
  std::uniform_int_distribution<int> age(18, 90), city(0, 3);
  const char* cities[] = {"\"Paris, FR\"", "Lyon", "\"New\nYork\"", "\"a \"\"quoted\"\" one\""};
  std::string s = "income,age,city\n";
  for (int i = 0; i < 20000; ++i) {
    s += i % 997 == 0 ? "" : std::to_string(income(rng));
    s += ",";
    s += i == 1234 ? "n/a-ish" : std::to_string(age(rng));
    s += ",";
    s += cities[city(rng)];
    s += "\n";
  }
  return s;
}

std::string write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

void expect_same_numeric(const vigil::NumericSummary& a, const vigil::NumericSummary& b) {
  EXPECT_EQ(a.count(), b.count());
  EXPECT_EQ(a.missing(), b.missing());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  EXPECT_NEAR(a.mean(), b.mean(), 1e-9 * std::fabs(a.mean()));
  EXPECT_NEAR(a.variance(), b.variance(), 1e-9 * a.variance());
  EXPECT_EQ(a.bin_edges(), b.bin_edges());
  EXPECT_EQ(a.bin_counts(), b.bin_counts());
  EXPECT_EQ(a.grid().state().counts, b.grid().state().counts);
  EXPECT_EQ(a.few_values(), b.few_values());
  EXPECT_EQ(a.quantile(0.5), b.quantile(0.5));
}

class CsvProfile : public ::testing::Test {
 protected:
  vigil_test::TempDir dir_;
  std::string file(const std::string& name, const std::string& text) { return write(dir_.path / name, text); }
};

TEST_F(CsvProfile, EqualsTheInMemoryProfileAtAnyChunkSizeAndThreadCount) {
  const std::string path = file("data.csv", sample_csv());
  vigil::Table table = vigil::read_csv(path);
  vigil::DatasetProfile reference = vigil::profile_table(table);
  for (std::size_t chunk : {std::size_t{4} << 20, std::size_t{4096}, std::size_t{977}})
    for (unsigned threads : {1u, 2u, 3u}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk) + ", threads " + std::to_string(threads));
      vigil::DatasetProfile p = vigil::profile_csv(path, {.reference = &reference, .threads = threads, .chunk_bytes = chunk});
      EXPECT_EQ(p.rows, 20000u);
      EXPECT_EQ(p.columns, (std::vector<std::string>{"income", "age", "city"}));
      expect_same_numeric(p.features.at("income").numeric, reference.features.at("income").numeric);
      expect_same_numeric(p.features.at("age").numeric, reference.features.at("age").numeric);
      EXPECT_EQ(p.features.at("age").type_errors, 1u);
      EXPECT_EQ(p.features.at("city").categorical.counts(), reference.features.at("city").categorical.counts());
      EXPECT_TRUE(p.features.at("city").categorical.counts().count("New\nYork"));
    }
}

// Quote-free text takes the one-pass path (numbers parsed where they lie);
// it must read every shape of cell and line end as CsvParser does: CRLF, a
// lone CR, blank lines, a trailing delimiter, numbers the fast parse takes
// and ones it leaves to from_chars, missing tokens and type errors.
std::string plain_csv() {
  std::mt19937_64 rng(5);
  const char* odd[] = {"5.", "-.5", ".5", "1e3", "+4", " 7 ", "NA", "", "12345678901234567", "1.2.3", "-", "12abc", "0.000001"};
  const char* ends[] = {"\n", "\r\n", "\r", "\n\n", "\r\n\r\n"};
  std::string s = "x,y,k\n";
  for (int i = 0; i < 6000; ++i) {
    s += i % 7 == 0 ? odd[rng() % std::size(odd)] : std::to_string(static_cast<long>(rng() % 200000) - 100000) + "." + std::to_string(rng() % 1000);
    s += ",";
    s += std::to_string(rng() % 5);
    s += ",";
    s += i % 11 == 0 ? "" : "k" + std::to_string(rng() % 40);
    s += ends[rng() % std::size(ends)];
  }
  return s + "1,2,";  // a trailing delimiter at the very end: an empty last field
}

TEST_F(CsvProfile, QuoteFreeChunksReadAsCsvParserReadsThem) {
  const std::string path = file("plain.csv", plain_csv());
  const vigil::CsvOptions kinds{.kinds = {{"x", vigil::FeatureKind::kNumeric}, {"y", vigil::FeatureKind::kNumeric}}};
  vigil::Table table = vigil::read_csv(path, kinds);
  vigil::DatasetProfile reference = vigil::profile_table(table);
  ASSERT_GT(reference.features.at("x").type_errors, 100u);
  for (std::size_t chunk : {std::size_t{4} << 20, std::size_t{4096}, std::size_t{333}})
    for (unsigned threads : {1u, 2u}) {
      SCOPED_TRACE("chunk " + std::to_string(chunk) + ", threads " + std::to_string(threads));
      vigil::DatasetProfile p =
          vigil::profile_csv(path, {.csv = kinds, .reference = &reference, .threads = threads, .chunk_bytes = chunk});
      EXPECT_EQ(p.rows, reference.rows);
      for (const char* numeric : {"x", "y"}) {
        const vigil::FeatureProfile& got = p.features.at(numeric);
        const vigil::FeatureProfile& want = reference.features.at(numeric);
        expect_same_numeric(got.numeric, want.numeric);
        EXPECT_EQ(got.numeric.sketch().state().positive, want.numeric.sketch().state().positive);
        EXPECT_EQ(got.numeric.sketch().state().negative, want.numeric.sketch().state().negative);
        EXPECT_EQ(got.type_errors, want.type_errors);
        EXPECT_EQ(got.first_type_error, want.first_type_error);
        EXPECT_EQ(got.first_type_error_line, want.first_type_error_line);
      }
      EXPECT_EQ(p.features.at("k").categorical.counts(), reference.features.at("k").categorical.counts());
      EXPECT_EQ(p.features.at("k").categorical.missing(), reference.features.at("k").categorical.missing());
    }
}

TEST_F(CsvProfile, QuoteFreeRaggedRowsAreNamedByLine) {
  for (const char* bad : {"1,2\n", "1,2,k,4\n", "1,2,k,\n"}) {
    std::string text = plain_csv();
    std::size_t at = 0;
    for (int line = 1; line < 3000; ++line) at = text.find('\n', at) + 1;
    const std::size_t lines_before = static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    text.insert(at, bad);
    const std::string path = file("ragged.csv", text);
    try {
      vigil::profile_csv(path, {.threads = 2, .chunk_bytes = 4096});
      FAIL() << "a ragged row was accepted: " << bad;
    } catch (const vigil::CsvError& e) {
      EXPECT_EQ(e.line(), lines_before + 1) << bad;
      const std::string found = bad == std::string("1,2\n") ? "found 2" : "found 4";
      EXPECT_NE(std::string(e.what()).find("expected 3 fields, " + found), std::string::npos) << e.what();
    }
  }
}

TEST_F(CsvProfile, DerivedBinsCountExactlyAndShardsMergeIntoTheWhole) {
  std::string all = sample_csv();
  const std::string path = file("all.csv", all);
  std::size_t cut = all.find("\n", all.size() / 2);
  while (std::count(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(cut), '"') % 2) cut = all.find("\n", cut + 1);
  const std::string a = file("a.csv", all.substr(0, cut + 1));
  const std::string b = file("b.csv", "income,age,city\n" + all.substr(cut + 1));
  vigil::DatasetProfile whole = vigil::profile_csv(path);
  vigil::DatasetProfile halves = vigil::profile_csv(a);
  halves.merge(vigil::profile_csv(b, {.csv = {.kinds = {{"age", vigil::FeatureKind::kNumeric}}}}));
  const auto& w = whole.features.at("income").numeric;
  ASSERT_TRUE(w.bins_derived());
  expect_same_numeric(halves.features.at("income").numeric, w);
  // Each derived bin holds exactly the values in [edge, next edge).
  vigil::Table t = vigil::read_csv(path);
  const auto& values = t.find("income")->numbers;
  for (std::size_t i = 0; i + 1 < w.bin_edges().size(); ++i) {
    auto n = std::count_if(values.begin(), values.end(),
                           [&](double v) { return v >= w.bin_edges()[i] && v < w.bin_edges()[i + 1]; });
    EXPECT_EQ(w.bin_counts()[i + 1], static_cast<std::uint64_t>(n)) << "bin " << i;
  }
}

TEST_F(CsvProfile, ErrorsNameTheFileAndLineInAnyChunk) {
  std::string text = sample_csv();
  std::size_t at = 0;
  for (int line = 1; line < 15000; ++line) at = text.find('\n', at) + 1;  // skipping quoted newlines too
  std::size_t lines_before = static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  text.insert(at, "1,2\n");
  const std::string path = file("ragged.csv", text);
  try {
    vigil::profile_csv(path, {.threads = 2, .chunk_bytes = 8192});
    FAIL() << "a ragged row was accepted";
  } catch (const vigil::CsvError& e) {
    EXPECT_EQ(e.line(), lines_before + 1);
    EXPECT_NE(std::string(e.what()).find("ragged.csv:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected 3 fields, found 2"), std::string::npos) << e.what();
  }
}

TEST_F(CsvProfile, AnEndlessLineIsRefusedAtTheLimit) {
  std::string text = "a,b\n1,2\n" + std::string(3 << 20, 'x');  // 3 MiB without a line end
  const std::string path = file("endless.csv", text);
  vigil::CsvProfileOptions o{.csv = {.max_record_bytes = 1 << 20}, .chunk_bytes = 64 << 10};
  try {
    vigil::profile_csv(path, o);
    FAIL() << "an endless line was accepted";
  } catch (const vigil::CsvError& e) {
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(std::string(e.what()).find("longer than 1 MiB"), std::string::npos) << e.what();
  }
}

TEST_F(CsvProfile, GzipMembersAndTruncation) {
  std::string text = sample_csv();
  std::size_t half = text.find("\nLyon") + 1;  // any cut: members join as one stream
  const std::string gz = file("two.csv.gz", vigil::detail::gzip_compress(text.substr(0, half)) +
                                                vigil::detail::gzip_compress(text.substr(half)));
  const std::string plain = file("plain.csv", text);
  vigil::DatasetProfile a = vigil::profile_csv(gz), b = vigil::profile_csv(plain);
  EXPECT_EQ(a.rows, b.rows);
  expect_same_numeric(a.features.at("income").numeric, b.features.at("income").numeric);
  std::string whole = vigil::detail::gzip_compress(text);
  const std::string cut = file("cut.csv.gz", whole.substr(0, whole.size() / 2));
  try {
    vigil::profile_csv(cut);
    FAIL() << "a truncated gzip was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cut.csv.gz: corrupt or truncated gzip"), std::string::npos) << e.what();
  }
}

TEST_F(CsvProfile, EmptyFileIsAnErrorNamingIt) {
  const std::string path = file("empty.csv", "");
  try {
    vigil::profile_csv(path);
    FAIL();
  } catch (const vigil::CsvError& e) {
    EXPECT_NE(std::string(e.what()).find("empty.csv:1: empty file"), std::string::npos) << e.what();
  }
}

// Found by the csv fuzzer: blank lines, then a quoted header longer than a
// chunk. The first chunk then holds only the blank lines; the header is read
// on from the next ones instead of the file being refused as empty.
TEST_F(CsvProfile, AHeaderLongerThanAChunkAfterBlankLines) {
  const std::string name(150, 'h');
  const std::string path = file("long_header.csv", "\n\n\"" + name + " \n\"\"x\"\"\",b\n1,2\n3,4\n");
  for (std::size_t chunk : {16, 64, 4096})
    for (unsigned threads : {1u, 2u}) {
      vigil::DatasetProfile p = vigil::profile_csv(path, {.threads = threads, .chunk_bytes = chunk});
      EXPECT_EQ(p.rows, 2u) << chunk;
      EXPECT_EQ(p.features.count(name + " \n\"x\""), 1u) << chunk;
      EXPECT_EQ(p.features.at("b").rows(), 2u) << chunk;
    }
}

// Chunks of nothing but blank lines are dropped, not held: errors after
// them still name the right line, and a file of only blank lines is empty.
TEST_F(CsvProfile, ChunksOfBlankLinesAreSkippedWithTheirLines) {
  const std::string name(150, 'h');
  const std::string dup = file("dup.csv", std::string(40, '\n') + "\"" + name + "\",\"" + name + "\"\n1,2\n");
  const std::string blank = file("blank.csv", std::string(1000, '\n'));
  for (std::size_t chunk : {16, 64, 4096}) {
    try {
      vigil::profile_csv(dup, {.chunk_bytes = chunk});
      FAIL() << "a duplicate column was accepted";
    } catch (const vigil::CsvError& e) {
      EXPECT_EQ(e.line(), 41u) << chunk << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("duplicate column"), std::string::npos) << e.what();
    }
    try {
      vigil::profile_csv(blank, {.chunk_bytes = chunk});
      FAIL() << "a file of blank lines was accepted";
    } catch (const vigil::CsvError& e) {
      EXPECT_NE(std::string(e.what()).find("empty file"), std::string::npos) << chunk << ": " << e.what();
    }
  }
}

// The word-at-a-time decimal path gives from_chars' value, bit for bit, or
// leaves the cell to the general parser; never a different number. Cells
// of every shape around its limits: 1-9 digits on each side, signs, points
// at either end, two points, letters and spaces at every position.
TEST(CsvCells, PlainDecimalsAreFromCharsExactly) {
  std::mt19937_64 rng(7);
  const std::string alphabet = "0123456789.-+e ax/:";
  std::size_t parsed = 0;
  for (int i = 0; i < 400000; ++i) {
    std::string cell;
    if (i % 2) {  // a well-formed decimal of random shape
      if (rng() % 4 == 0) cell += '-';
      for (std::size_t k = rng() % 10; k; --k) cell += static_cast<char>('0' + rng() % 10);
      if (rng() % 5) cell += '.';
      for (std::size_t k = rng() % 10; k; --k) cell += static_cast<char>('0' + rng() % 10);
    } else {  // anything from the alphabet
      for (std::size_t k = rng() % 19; k; --k) cell += alphabet[rng() % alphabet.size()];
    }
    double fast;
    if (!vigil::detail::parse_plain_decimal(cell, fast)) continue;
    ++parsed;
    std::string_view digits = cell;
    if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
    double want = 0;
    auto res = std::from_chars(cell.data(), cell.data() + cell.size(), want);
    if (digits.front() == '.' || digits.back() == '.') {  // "5." and ".5": from_chars may stop early
      std::string padded = std::string(cell.front() == '-' ? "-" : "") + "0" + std::string(digits) + "0";
      res = std::from_chars(padded.data(), padded.data() + padded.size(), want);
    } else {
      ASSERT_EQ(res.ptr, cell.data() + cell.size()) << cell;
    }
    ASSERT_EQ(fast, want) << cell;
  }
  EXPECT_GT(parsed, 150000u);
}

// Category codes match a plain map's for keys of every length around the
// slot's eight inline bytes: keys that differ only in length, in a zero
// byte, in their last byte, or past their eighth byte (where the slot no
// longer decides and the dictionary must).
TEST(CsvCells, CategoryCodesAreExactForEveryKeyShape) {
  std::mt19937_64 rng(11);
  const std::string alphabet = std::string("ab\0", 3);
  vigil::detail::CategoryIndex index;
  std::vector<std::string> dictionary;
  std::unordered_map<std::string, std::int32_t> want;
  for (int i = 0; i < 200000; ++i) {
    std::string key;
    for (std::size_t k = 1 + rng() % 18; k; --k) key += alphabet[rng() % alphabet.size()];
    auto [it, added] = want.try_emplace(key, static_cast<std::int32_t>(want.size()));
    ASSERT_EQ(index.code(key, dictionary), it->second) << (added ? "new key " : "known key ") << key.size();
  }
  EXPECT_EQ(dictionary.size(), want.size());
  EXPECT_GT(want.size(), 20000u);  // many keys share their first eight bytes
}

}  // namespace
