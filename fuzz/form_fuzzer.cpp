// libFuzzer target: a submitted fiche de liaison, as url-encoded or multipart/form-data bytes,
// through a real cpp-httplib server in this process (its request and multipart parsers, which
// face the network in `serve`), then web::Form, web::ReadReferralForm and the domain's
// validation, as referral_pages.cpp does. Properties: nothing crashes or trips ASan/UBSan, no
// exception escapes the handler (the server would answer 500), and every answer is one the
// application documents: 200 or 422 from the handler, 400 or 413 from the parser.
//
// The first byte of the input picks the encoding; the rest is the body.

#include <httplib.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "domain/reference.hpp"
#include "domain/referral.hpp"
#include "web/forms.hpp"
#include "web/referral_form.hpp"

namespace {

constexpr const char* kBoundary = "AllerversFuzzBoundary";

struct Harness {
  httplib::Server server;
  std::unique_ptr<httplib::Client> client;
  std::thread thread;

  Harness() {
    static const allervers::domain::ReferenceData kReference{};
    server.Post("/fiche", [](const httplib::Request& req, httplib::Response& res) {
      const allervers::web::Form form(req);
      const auto in = allervers::web::ReadReferralForm(form);
      allervers::domain::ReferralData out;
      const auto errors = allervers::domain::ValidateReferral(in, kReference, {2026, 11, 29}, out);
      res.status = errors.empty() ? 200 : 422;
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response&, std::exception_ptr) { std::abort(); });
    // Without TCP_NODELAY each small request waits for the peer's delayed acknowledgement.
    server.set_tcp_nodelay(true);
    const int port = server.bind_to_any_port("127.0.0.1");
    if (port <= 0) {
      std::abort();
    }
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Harness* harness = new Harness();  // lives as long as the fuzzing process
  if (size == 0) {
    return 0;
  }
  const bool multipart = (data[0] & 1) != 0;
  const std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string type = multipart ? std::string("multipart/form-data; boundary=") + kBoundary
                                     : "application/x-www-form-urlencoded";
  const auto res = harness->client->Post("/fiche", body, type.c_str());
  if (!res) {
    std::abort();  // the server closed the connection: it must answer something
  }
  const int s = res->status;
  if (s != 200 && s != 422 && s != 400 && s != 413) {
    std::abort();
  }
  return 0;
}
