#include "server/window_profile_api.h"

#include "monitor/window_profiles.h"
#include "server/http_util.h"
#include "vigil/profile.h"

namespace vigil::server {

WindowProfileApi::WindowProfileApi(std::filesystem::path directory, std::size_t max_body_bytes, Registry& registry)
    : directory_(std::move(directory)), max_body_bytes_(max_body_bytes), registry_(registry) {}

void WindowProfileApi::receive(Exchange& x) {
  if (directory_.empty())
    return send_error(x.res, 404, "this daemon keeps no window profiles: set monitor.window_profiles in its config");
  const std::string model = x.req.get_param_value("model"), instance = x.req.get_param_value("instance");
  if (model.empty() || instance.empty() || instance.size() > 200)
    return send_error(x.res, 400, "model and instance (at most 200 bytes) are required query parameters");
  if (!require_json(x.req, x.res)) return;
  std::string body;
  if (!read_body(x.req, x.res, max_body_bytes_, body)) return;
  DatasetProfile window = DatasetProfile::from_json(body);  // std::invalid_argument: 400, naming what is wrong
  if (window.start_unix_nano == 0) return send_error(x.res, 400, "the profile is not a window (no start_unix_nano)");
  detail::WindowProfileWriter writer(directory_, instance, &registry_);
  if (!writer.write(model, window))
    return send_error(x.res, 507, "cannot save the window profile (see vigil_model_window_profiles_total)");
  send_json(x.res, 200, {{"path", writer.path_of(model, window.start_unix_nano).string()}});
}

}  // namespace vigil::server
