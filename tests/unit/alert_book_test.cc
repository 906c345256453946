// The alert book's one state machine: for-durations, resolve, re-fire,
// flapping, vanished series, and a notification for each firing change.
#include <gtest/gtest.h>

#include "alert/alert_book.h"

namespace {

using vigil::alert::Alert;
using vigil::alert::AlertBook;
using vigil::alert::AlertFacts;
using vigil::alert::AlertKind;
using vigil::alert::AlertPhase;

constexpr std::int64_t kSecondNs = 1'000'000'000;
constexpr std::chrono::nanoseconds kForDuration{60 * kSecondNs};

class AlertBookTest : public ::testing::Test {
 protected:
  // One evaluation of the rule "HighErrors" at second `t`.
  AlertPhase eval(bool active, std::int64_t t, std::chrono::nanoseconds hold = kForDuration) {
    return book.observe("metric/HighErrors", facts(), active, hold, t * kSecondNs).phase;
  }
  static AlertFacts facts() { return {.name = "HighErrors", .kind = AlertKind::kMetric, .value = 1}; }
  std::vector<AlertPhase> transitions() {
    std::vector<AlertPhase> out;
    for (const Alert& a : book.take_transitions()) out.push_back(a.phase);
    return out;
  }

  AlertBook book;
};

TEST_F(AlertBookTest, PendsForTheHoldThenFires) {
  EXPECT_EQ(eval(true, 0), AlertPhase::kPending);
  EXPECT_EQ(eval(true, 59), AlertPhase::kPending);
  EXPECT_TRUE(transitions().empty());  // pending is not news for Alertmanager
  EXPECT_EQ(eval(true, 60), AlertPhase::kFiring);
  EXPECT_EQ(transitions(), std::vector<AlertPhase>{AlertPhase::kFiring});
  EXPECT_EQ(book.alerts().at(0).active_since_ns, 0);
}

TEST_F(AlertBookTest, NoHoldFiresAtOnce) {
  EXPECT_EQ(eval(true, 5, std::chrono::nanoseconds(0)), AlertPhase::kFiring);
}

TEST_F(AlertBookTest, ResolvesOnceKeepingTheEpisodeStartThenGoesInactive) {
  eval(true, 0);
  eval(true, 60);
  transitions();
  EXPECT_EQ(eval(false, 90), AlertPhase::kResolved);
  std::vector<Alert> resolved = book.take_transitions();
  ASSERT_EQ(resolved.size(), 1u);
  EXPECT_EQ(resolved[0].phase, AlertPhase::kResolved);
  EXPECT_EQ(resolved[0].active_since_ns, 0);  // startsAt of the resolved alert
  EXPECT_EQ(eval(false, 120), AlertPhase::kInactive);
  EXPECT_TRUE(transitions().empty());  // resolved is sent once
}

TEST_F(AlertBookTest, RefiresThroughPendingAfterResolving) {
  eval(true, 0);
  eval(true, 60);
  eval(false, 90);
  transitions();
  EXPECT_EQ(eval(true, 100), AlertPhase::kPending);
  EXPECT_EQ(book.alerts().at(0).active_since_ns, 100 * kSecondNs);  // a new episode
  EXPECT_EQ(eval(true, 160), AlertPhase::kFiring);
  EXPECT_EQ(transitions(), std::vector<AlertPhase>{AlertPhase::kFiring});
}

TEST_F(AlertBookTest, FlappingShorterThanTheHoldNeverFires) {
  for (int t = 0; t < 600; t += 30) EXPECT_NE(eval(t % 60 == 0, t), AlertPhase::kFiring) << t;
  EXPECT_TRUE(transitions().empty());
}

TEST_F(AlertBookTest, SweepResolvesSeriesThatVanished) {
  book.observe("metric/A/x=1", facts(), true, std::chrono::nanoseconds(0), 0);
  book.observe("metric/A/x=2", facts(), true, std::chrono::nanoseconds(0), 0);
  book.observe("log/B", {.name = "B", .kind = AlertKind::kLog}, true, std::chrono::nanoseconds(0), 0);
  transitions();
  book.sweep(AlertKind::kMetric, {"metric/A/x=1"}, kSecondNs);
  std::vector<Alert> changed = book.take_transitions();
  ASSERT_EQ(changed.size(), 1u);
  EXPECT_EQ(changed[0].phase, AlertPhase::kResolved);
  for (const Alert& a : book.alerts()) {
    if (a.facts.kind == AlertKind::kLog) {
      EXPECT_EQ(a.phase, AlertPhase::kFiring);  // other kinds untouched
    }
  }
}

TEST_F(AlertBookTest, FactsFollowTheLatestEvaluation) {
  book.observe("k", {.name = "N", .summary = "first", .value = 1}, true, std::chrono::nanoseconds(0), 0);
  book.observe("k", {.name = "N", .summary = "second", .value = 7}, true, std::chrono::nanoseconds(0), kSecondNs);
  Alert a = book.alerts().at(0);
  EXPECT_EQ(a.facts.summary, "second");
  EXPECT_EQ(a.facts.value, 7);
  EXPECT_EQ(a.last_eval_ns, kSecondNs);
}

}  // namespace
