#include "server/vercel/upstream_probe.h"

#include <algorithm>
#include <utility>

#include "absl/time/clock.h"

namespace vercel_tokens {
namespace {

constexpr absl::Duration kMaxProbeTimeout = absl::Seconds(10);
// A sentinel id while Submit has not returned yet.
constexpr uint64_t kSubmitting = 0;

}  // namespace

UpstreamRequest ProbeRequest() {
  UpstreamRequest request;
  request.method = HttpMethod::kGet;
  request.endpoint = "probe GET /v2/user";
  request.target = "/v2/user";
  return request;
}

UpstreamProbe::UpstreamProbe(UpstreamTransport* transport,
                             UpstreamReachability* reachability,
                             absl::Duration interval)
    : transport_(transport),
      reachability_(reachability),
      timeout_(std::min(interval, kMaxProbeTimeout)) {
  timer_ = std::make_unique<PeriodicTask>(interval, [this] { Send(); });
}

UpstreamProbe::~UpstreamProbe() {
  timer_.reset();
  absl::MutexLock lock(&mu_);
  if (in_flight_.has_value()) transport_->Cancel(*in_flight_);
  mu_.Await(absl::Condition(
      +[](std::optional<uint64_t>* id) { return !id->has_value(); },
      &in_flight_));
}

void UpstreamProbe::Send() {
  absl::MutexLock lock(&mu_);
  if (in_flight_.has_value()) return;
  // Set before Submit: the callback never runs inline, but it may run on
  // the loop's thread as soon as Submit returns, and then waits for mu_.
  in_flight_ = kSubmitting;
  absl::StatusOr<uint64_t> id = transport_->Submit(
      ProbeRequest(), absl::Now() + timeout_,
      [this](absl::StatusOr<UpstreamResponse> result) {
        reachability_->Record(result, absl::Now());
        absl::MutexLock lock(&mu_);
        in_flight_.reset();
      },
      absl::InfinitePast());
  if (id.ok()) {
    in_flight_ = *id;
  } else {
    in_flight_.reset();  // shutting down: the callback was dropped
  }
}

}  // namespace vercel_tokens
