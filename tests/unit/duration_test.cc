// The one duration syntax (config, query parameters, SLO thresholds) and sizes.
#include <gtest/gtest.h>

#include "common/duration.h"

namespace {

using std::chrono::nanoseconds;
using vigil::detail::parse_duration;
using vigil::detail::parse_duration_seconds;
using vigil::detail::parse_size;

TEST(Duration, UnitsAndCompounds) {
  EXPECT_EQ(parse_duration("250ms"), nanoseconds(250'000'000));
  EXPECT_EQ(parse_duration("1.5s"), nanoseconds(1'500'000'000));
  EXPECT_EQ(parse_duration("2m"), nanoseconds(120'000'000'000));
  EXPECT_EQ(parse_duration("1h30m"), nanoseconds(5400'000'000'000));
  EXPECT_EQ(parse_duration("7d"), nanoseconds(7 * 86400'000'000'000));
  EXPECT_EQ(parse_duration("1w"), nanoseconds(604800'000'000'000));
  EXPECT_EQ(parse_duration("10us"), nanoseconds(10'000));
  EXPECT_EQ(parse_duration("5ns"), nanoseconds(5));
}

TEST(Duration, RejectsWhatIsNotADuration) {
  for (const char* bad : {"", "5", "ms", "5x", "1.2.3s", "-5s", "5 s", "1e3s", "300000w"})
    EXPECT_THROW(parse_duration(bad), std::invalid_argument) << bad;
}

TEST(Duration, SecondsFieldsRefuseFractions) {
  EXPECT_EQ(parse_duration_seconds("5m").count(), 300);
  EXPECT_EQ(parse_duration_seconds("2000ms").count(), 2);
  EXPECT_THROW(parse_duration_seconds("1500ms"), std::invalid_argument);  // a 1.5 s window must not become 1 s
}

TEST(Size, UnitsAndErrors) {
  EXPECT_EQ(parse_size("1000"), 1000u);
  EXPECT_EQ(parse_size("64MiB"), 64u * 1024 * 1024);
  EXPECT_EQ(parse_size("2GB"), 2'000'000'000u);
  EXPECT_EQ(parse_size("16 KiB"), 16u * 1024);
  for (const char* bad : {"", "MiB", "5XB", "1234567890123456"}) EXPECT_THROW(parse_size(bad), std::invalid_argument) << bad;
}

}  // namespace
