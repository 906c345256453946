// Writes a wide reference and current CSV for sizing `vigil drift` and
// `vigil profile`: ROWS rows × COLS columns, four in five numeric (normal,
// lognormal, small integers, uniform) and one in five categorical (3–40
// values). The current file drifts in one column of ten. Seeded, and fast
// enough for billions of cells (std::to_chars, one buffer per row).
//   make_wide_csv OUTDIR [ROWS=3300000] [COLS=100]
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace {

struct ColumnSpec {
  int kind;  // 0 normal, 1 lognormal, 2 integers, 3 uniform, 4 categorical
  double a, b;
  int categories;
  bool drifts;
};

std::vector<ColumnSpec> specs(int cols) {
  std::vector<ColumnSpec> out;
  std::mt19937_64 rng(7);
  for (int c = 0; c < cols; ++c) {
    int kind = c % 5 == 4 ? 4 : c % 4;
    double a = std::uniform_real_distribution<>(-100, 1000)(rng), b = std::uniform_real_distribution<>(0.5, 50)(rng);
    out.push_back({kind, a, b, 3 + c % 38, c % 10 == 3});
  }
  return out;
}

void append_number(std::string& row, double v) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 4);
  row.append(buf, r.ptr);
}

void write_file(const std::filesystem::path& path, long rows, const std::vector<ColumnSpec>& cols, bool current,
                unsigned seed) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path.string());
  std::string row;
  for (std::size_t c = 0; c < cols.size(); ++c) row += (c ? ",c" : "c") + std::to_string(c);
  row += '\n';
  std::fputs(row.c_str(), f);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::uniform_real_distribution<double> uniform;
  for (long r = 0; r < rows; ++r) {
    row.clear();
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const ColumnSpec& s = cols[c];
      const double shift = current && s.drifts ? 0.3 : 0.0;
      if (c) row += ',';
      switch (s.kind) {
        case 0: append_number(row, s.a + s.b * (normal(rng) + shift)); break;
        case 1: append_number(row, std::exp(normal(rng) + shift)); break;
        case 2: row += std::to_string(static_cast<int>(uniform(rng) * (10 + 5 * shift))); break;
        case 3: append_number(row, uniform(rng) + shift / 10); break;
        default: {
          double u = uniform(rng);
          int k = static_cast<int>(s.categories * u * u * (1 - shift / 2));  // skewed; drift moves mass down
          row += "cat";
          row += std::to_string(k);
        }
      }
    }
    row += '\n';
    std::fwrite(row.data(), 1, row.size(), f);
  }
  std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_wide_csv OUTDIR [ROWS] [COLS]\n");
    return 2;
  }
  std::filesystem::path out = argv[1];
  long rows = argc > 2 ? std::stol(argv[2]) : 3300000;
  int cols = argc > 3 ? std::stoi(argv[3]) : 100;
  std::filesystem::create_directories(out);
  auto s = specs(cols);
  write_file(out / "reference.csv", rows, s, false, 1);
  write_file(out / "current.csv", rows, s, true, 2);
  std::printf("wrote %ld rows x %d columns to %s/{reference,current}.csv\n", rows, cols, out.c_str());
}
