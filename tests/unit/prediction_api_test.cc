// Prediction-event and label parsing: the three body shapes, every field,
// and errors that name the line.
#include <gtest/gtest.h>

#include "server/prediction_api.h"

namespace {

using vigil::server::parse_labels;
using vigil::server::parse_predictions;
using vigil::server::PayloadError;

std::string prediction_error_of(std::string_view body) {
  try {
    parse_predictions(body);
  } catch (const PayloadError& e) {
    return e.what();
  }
  return "";
}

TEST(PredictionApi, ReadsEveryField) {
  auto r = parse_predictions(R"({"model":"fraud","version":"3","request_id":"r1","timestamp":"2026-11-26T13:00:00.5Z",
    "features":{"amount":120.5,"country":"NO","vip":true,"age":null},"prediction":"legit","confidence":0.97,
    "latency_ms":4,"label":"fraud"})");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].model, "fraud");
  EXPECT_EQ(r[0].version, "3");
  EXPECT_EQ(r[0].time_ns, 1'795'698'000'500'000'000ull);
  ASSERT_EQ(r[0].features.size(), 4u);
  EXPECT_EQ(std::get<double>(r[0].features[0].second), 120.5);
  EXPECT_EQ(std::get<std::string>(r[0].features[1].second), "NO");
  EXPECT_EQ(std::get<bool>(r[0].features[2].second), true);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(r[0].features[3].second));
  EXPECT_EQ(std::get<std::string>(r[0].prediction), "legit");
  EXPECT_DOUBLE_EQ(r[0].confidence, 0.97);
  EXPECT_DOUBLE_EQ(r[0].latency_seconds, 0.004);
  ASSERT_TRUE(r[0].label.has_value());
  EXPECT_EQ(std::get<std::string>(*r[0].label), "fraud");
}

TEST(PredictionApi, ArraysAndNdjsonGiveOneRecordEach) {
  EXPECT_EQ(parse_predictions(R"([{"model":"m","prediction":1},{"model":"m","prediction":2}])").size(), 2u);
  EXPECT_EQ(parse_predictions("{\"model\":\"m\",\"prediction\":1}\n\n{\"model\":\"m\",\"error\":\"timeout\"}\n").size(), 2u);
}

TEST(PredictionApi, ErrorsNameTheLine) {
  EXPECT_EQ(prediction_error_of(""), "line 1: empty body");
  EXPECT_EQ(prediction_error_of("{\"model\":\"m\",\"prediction\":1}\n{\"prediction\":1}"), "line 2: 'model' must be a non-empty string");
  EXPECT_EQ(prediction_error_of(R"({"model":"m"})"), "line 1: 'prediction' is required unless 'error' is set");
  EXPECT_EQ(prediction_error_of(R"({"model":"m","prediction":1,"confidence":2})"), "line 1: 'confidence' must be in [0, 1]");
  EXPECT_EQ(prediction_error_of(R"({"model":"m","prediction":1,"label":1})"), "line 1: 'label' needs a 'request_id' to join on");
  EXPECT_EQ(prediction_error_of(R"({"model":"m","prediction":1,"features":[1]})"),
            "line 1: 'features' must be an object of name: value");
  EXPECT_EQ(prediction_error_of(R"({"model":"m","prediction":{"a":1}})"), "line 1: 'prediction' must be a number, string, boolean or null");
  EXPECT_EQ(prediction_error_of(R"({"model":"m","prediction":1,"timestamp":"2026-11-26T13:00:00"})"),
            "line 1: 'timestamp' \"2026-11-26T13:00:00\" is not RFC 3339 with a zone (Z or an offset), between 1970 and 2262");
  // Found by the predictions fuzzer: a year past 2262 overflowed int64 nanoseconds.
  EXPECT_EQ(prediction_error_of(R"({"model":"m","prediction":1,"timestamp":"4052-11-26T13:00:00.25Z"})"),
            "line 1: 'timestamp' \"4052-11-26T13:00:00.25Z\" is not RFC 3339 with a zone (Z or an offset), between 1970 and 2262");
  EXPECT_NE(prediction_error_of("{\"model\":\"m\",\"prediction\":1}\n{oops").find("line 2: invalid JSON"), std::string::npos);
}

TEST(PredictionApi, Labels) {
  auto l = parse_labels("{\"model\":\"m\",\"request_id\":\"r\",\"label\":1}\n{\"model\":\"m\",\"request_id\":\"s\",\"label\":\"b\"}");
  ASSERT_EQ(l.size(), 2u);
  EXPECT_EQ(std::get<double>(l[0].label), 1);
  EXPECT_EQ(std::get<std::string>(l[1].label), "b");
  EXPECT_THROW(parse_labels(R"({"model":"m","request_id":"r"})"), PayloadError);
}

}  // namespace
