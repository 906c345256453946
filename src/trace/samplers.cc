#include <cmath>
#include <stdexcept>
#include <string>

#include "vigil/trace.h"

namespace vigil {
namespace {

class AlwaysOn final : public Sampler {
 public:
  SamplingDecision should_sample(const SamplingParameters&) const override {
    return SamplingDecision::kRecordAndSample;
  }
  std::string description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOff final : public Sampler {
 public:
  SamplingDecision should_sample(const SamplingParameters&) const override { return SamplingDecision::kDrop; }
  std::string description() const override { return "AlwaysOffSampler"; }
};

class TraceIdRatio final : public Sampler {
 public:
  explicit TraceIdRatio(double ratio) : ratio_(ratio) {
    if (!(ratio >= 0 && ratio <= 1)) throw std::invalid_argument("vigil: sampling ratio must lie in [0, 1]");
    // ratio * 2^63, computed so that ratio 1 samples every id.
    bound_ = ratio >= 1 ? UINT64_MAX : static_cast<std::uint64_t>(std::ldexp(ratio, 63));
  }
  SamplingDecision should_sample(const SamplingParameters& p) const override {
    std::uint64_t low = 0;
    for (int i = 8; i < 16; ++i) low = low << 8 | p.trace_id.bytes[i];
    return (low >> 1) < bound_ ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
  }
  std::string description() const override { return "TraceIdRatioBased{" + std::to_string(ratio_) + "}"; }

 private:
  double ratio_;
  std::uint64_t bound_;
};

class ParentBased final : public Sampler {
 public:
  explicit ParentBased(std::shared_ptr<Sampler> root) : root_(std::move(root)) {
    if (!root_) throw std::invalid_argument("vigil: parent_based_sampler needs a root sampler");
  }
  SamplingDecision should_sample(const SamplingParameters& p) const override {
    if (p.parent == nullptr || !p.parent->valid()) return root_->should_sample(p);
    return p.parent->sampled() ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop;
  }
  std::string description() const override { return "ParentBased{root=" + root_->description() + "}"; }

 private:
  std::shared_ptr<Sampler> root_;
};

}  // namespace

std::shared_ptr<Sampler> always_on_sampler() { return std::make_shared<AlwaysOn>(); }
std::shared_ptr<Sampler> always_off_sampler() { return std::make_shared<AlwaysOff>(); }
std::shared_ptr<Sampler> trace_id_ratio_sampler(double ratio) { return std::make_shared<TraceIdRatio>(ratio); }
std::shared_ptr<Sampler> parent_based_sampler(std::shared_ptr<Sampler> root) {
  return std::make_shared<ParentBased>(std::move(root));
}

}  // namespace vigil
