#include "http_door.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <algorithm>
#include <new>
#include <vector>

#include "http_door_state.hpp"
#include "http_gate.hpp"
#include "http_head.hpp"
#include "log.hpp"
#include "meldpunt/protocol/http_body.hpp"

namespace meldpunt::relay {
namespace {

using namespace http_door_state;

// libmicrohttpd's per-connection pool (also its read buffer): twice the
// largest head the gate lets through (http_head.hpp).
constexpr std::size_t kConnectionMemory = 2 * kMaxHttpHeadBytes;
// Most answers from the serving loop taken in one round.
constexpr int kMaxAnswersPerRound = 256;

}  // namespace

class HttpDoor::Loop {
 public:
  Loop(zmq::context_t& context, HttpDoorSetup setup)
      : setup_(std::move(setup)),
        channel_text_(setup_.channel + "\n"),
        gate_(setup_.host, setup_.port, setup_.limits.header_timeout),
        dealer_(context, zmq::socket_type::dealer) {
    // Every request in flight waits in these queues at most once.
    const int hwm = static_cast<int>(std::min<std::size_t>(setup_.limits.max_connections * 2 + 16, 1 << 20));
    dealer_.set(zmq::sockopt::sndhwm, hwm);
    dealer_.set(zmq::sockopt::rcvhwm, hwm);
    dealer_.set(zmq::sockopt::linger, 0);
    dealer_.connect(kHttpDoorInproc);
    start_daemon();
  }

  ~Loop() {
    // libmicrohttpd must not stop with suspended connections: resume them
    // as cancelled, let it close them, then stop.
    for (auto& [tag, request] : waiting_) {
      request->cancelled = true;
      resume(*request);
    }
    waiting_.clear();
    MHD_run(daemon_);
    MHD_stop_daemon(daemon_);
  }

  std::uint16_t port() const { return port_; }

  HttpDoorFigures figures() const {
    const Counters& c = counters_;
    const HttpDoorLimits& l = setup_.limits;
    // Connections whose head is still arriving are open too.
    return HttpDoorFigures{c.open.load() + c.arriving.load(), l.max_connections, c.body_bytes.load(), l.max_body_bytes,
                           c.answer_bytes.load(), l.max_answer_bytes, c.answered.load(), c.served.load(),
                           c.malformed.load(), c.too_large.load(), c.no_length.load(), c.not_found.load(),
                           c.bodies_dropped.load(), c.busy.load(), c.answers_dropped.load(), c.head_timeouts.load(),
                           c.request_timeouts.load(), c.write_timeouts.load()};
  }

  void run(const std::atomic<bool>& stop) {
    const int epoll_fd = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
    std::vector<zmq::pollitem_t> items;
    std::vector<Connection*> watched;
    while (!stop.load()) {
      items.clear();
      watched.clear();
      items.push_back({nullptr, epoll_fd, ZMQ_POLLIN, 0});
      items.push_back({dealer_.handle(), 0, ZMQ_POLLIN, 0});
      const std::size_t gate_items = items.size();
      gate_.add_poll_items(items);
      const std::size_t watched_items = items.size();
      for (Connection* c : connections_) {
        if (c->suspended && c->watched) {
          items.push_back({nullptr, c->fd, ZMQ_POLLIN, 0});
          watched.push_back(c);
        }
      }
      long timeout = 200;
      MHD_UNSIGNED_LONG_LONG mhd_timeout = 0;
      if (MHD_get_timeout(daemon_, &mhd_timeout) == MHD_YES) timeout = std::min<long>(timeout, static_cast<long>(mhd_timeout));
      try {
        zmq::poll(items.data(), items.size(), std::chrono::milliseconds(timeout));
      } catch (const zmq::error_t& e) {
        if (e.num() != EINTR) throw;
      }
      if ((items[1].revents & ZMQ_POLLIN) != 0) take_answers();
      for (std::size_t i = 0; i < watched.size(); ++i) {
        if ((items[watched_items + i].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) != 0) check_gone(*watched[i]);
      }
      const std::size_t room = setup_.limits.max_connections - std::min(setup_.limits.max_connections, connections_.size());
      const HttpGate::Outcome gate = gate_.step(&items[gate_items], room, [this](int fd, const sockaddr* a, socklen_t n) {
        (void)MHD_add_connection(daemon_, fd, a, n);  // on failure it closes fd
      });
      add(counters_.malformed, gate.malformed);
      add(counters_.too_large, gate.too_large);
      add(counters_.head_timeouts, gate.head_timeouts);
      counters_.arriving.store(gate_.waiting());
      enforce_deadlines();
      MHD_run(daemon_);
    }
  }

  // ---- libmicrohttpd callbacks (all on the door's thread) ----

  void on_connection(MHD_Connection* mhd, void** socket_context, MHD_ConnectionNotificationCode code) {
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
      auto c = std::make_unique<Connection>();
      c->mhd = mhd;
      c->fd = MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_CONNECTION_FD)->connect_fd;
      start_clocks(*c);
      connections_.insert(c.get());
      *socket_context = c.release();
      add(counters_.open);
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != nullptr) {
      auto* c = static_cast<Connection*>(*socket_context);
      connections_.erase(c);
      sub(counters_.open, 1);
      delete c;
      *socket_context = nullptr;
    }
  }

  void on_completed(void** request_context) {
    auto* request = static_cast<Request*>(*request_context);
    if (request == nullptr) return;
    release_body(*request);
    if (request->answer != nullptr) free_answer(request->answer);  // its client left before it was handed over
    if (request->tag != 0 && !request->answered && !request->cancelled) send_cancel(request->tag);
    if (request->tag != 0) waiting_.erase(request->tag);
    if (Connection* c = request->connection; c != nullptr) {
      c->suspended = false;
      c->responding = false;
      c->answer_bytes = 0;
      start_clocks(*c);
    }
    delete request;
    *request_context = nullptr;
  }

  MHD_Result on_request(MHD_Connection* mhd, std::string_view url, std::string_view method, const char* upload,
                        std::size_t* upload_size, void** request_context) {
    auto* request = static_cast<Request*>(*request_context);
    if (request == nullptr) {  // the head has arrived; no byte of a body has been read
      request = new Request;
      request->connection =
          static_cast<Connection*>(MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT)->socket_context);
      *request_context = request;
      if (request->connection == nullptr) return MHD_NO;  // its state could not be allocated: close it
      request->started = Clock::now();
      return first_call(mhd, *request, url, method);
    }
    if (!request->api || request->dropped) return MHD_NO;  // answered at the first call, or dropped: close
    if (*upload_size != 0) {
      const std::size_t n = *upload_size;
      *upload_size = 0;
      if (request->body.size() + n > request->expected) {  // more than announced
        add(counters_.malformed);
        return MHD_NO;
      }
      if (!book_body(*request, request->body.size() + n)) return MHD_NO;
      append(request->body, ByteView(reinterpret_cast<const std::uint8_t*>(upload), n));
      return MHD_YES;
    }
    if (request->answered) return respond_answer(mhd, *request);
    if (request->cancelled) return MHD_NO;
    if (request->tag != 0) return MHD_YES;  // still waiting (spurious call)
    return forward(mhd, *request);
  }

 private:
  // libmicrohttpd gets each connection from the gate once its head has
  // passed (http_gate.hpp); it has no listening socket of its own.
  void start_daemon() {
    const unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_NO_LISTEN_SOCKET;
    const unsigned idle = static_cast<unsigned>(setup_.limits.request_timeout.count());
    daemon_ = MHD_start_daemon(
        flags, 0, nullptr, nullptr, &Loop::access_cb, this,  //
        MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(setup_.limits.max_connections),
        MHD_OPTION_CONNECTION_TIMEOUT, idle,                       //
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, kConnectionMemory,     //
        MHD_OPTION_NOTIFY_CONNECTION, &Loop::connection_cb, this,  //
        MHD_OPTION_NOTIFY_COMPLETED, &Loop::completed_cb, this,    //
        MHD_OPTION_END);
    if (daemon_ == nullptr) throw std::runtime_error("http: cannot start libmicrohttpd");
    port_ = gate_.port();
  }

  static MHD_Result access_cb(void* self, MHD_Connection* c, const char* url, const char* method, const char*,
                              const char* upload, std::size_t* upload_size, void** request_context) {
    try {
      return static_cast<Loop*>(self)->on_request(c, url, method, upload, upload_size, request_context);
    } catch (...) {  // out of memory: close this connection, keep serving
      return MHD_NO;
    }
  }
  static void connection_cb(void* self, MHD_Connection* c, void** socket_context, MHD_ConnectionNotificationCode code) {
    try {
      static_cast<Loop*>(self)->on_connection(c, socket_context, code);
    } catch (...) {  // out of memory: the connection has no state and is closed at its first request
      *socket_context = nullptr;
    }
  }
  static void completed_cb(void* self, MHD_Connection*, void** request_context, MHD_RequestTerminationCode) {
    static_cast<Loop*>(self)->on_completed(request_context);
  }
  // libmicrohttpd is done with an answer (sent, or its connection closed).
  static void answer_freed(void* answer) { static_cast<Answer*>(answer)->loop->free_answer(static_cast<Answer*>(answer)); }

  // The whole request from the connection's opening (its head has passed
  // the gate by then, within header_timeout).
  void start_clocks(Connection& c) { c.deadline = Clock::now() + setup_.limits.request_timeout; }

  // Shuts a connection down; libmicrohttpd then sees it closed and frees
  // it, its request and its answer (same thread, so the descriptor is still
  // its own).
  void shut(Connection& c) {
    if (c.shut || c.fd < 0) return;
    ::shutdown(c.fd, SHUT_RDWR);
    c.shut = true;
  }

  MHD_Result first_call(MHD_Connection* mhd, Request& request, std::string_view url, std::string_view method) {
    const bool get = method == "GET" || method == "HEAD";
    if (url == "/api") {
      if (method != "POST") return respond(mhd, MHD_HTTP_METHOD_NOT_ALLOWED, "POST");
      return admit_body(mhd, request);
    }
    if (!get) return respond(mhd, MHD_HTTP_METHOD_NOT_ALLOWED, "GET, HEAD");
    if (url == "/channel") {
      if (setup_.channel.empty()) return respond(mhd, MHD_HTTP_NOT_FOUND);
      return respond_static(mhd, channel_text_.data(), channel_text_.size(), "text/plain; charset=utf-8");
    }
    const WebFile* file = nullptr;
    if (setup_.web_root && url.size() >= 1 && url.front() == '/') file = setup_.web_root->find(url.substr(1));
    // Browsers ask for /favicon.ico on their own (the page names its icon,
    // favicon.svg, but not every browser or proxy reads that first): "no
    // icon", rather than a 404 for a request no one made wrongly, unless
    // the web root lists one.
    if (file == nullptr && url == "/favicon.ico") return respond_no_content(mhd);
    if (file == nullptr) return respond(mhd, MHD_HTTP_NOT_FOUND);
    return respond_static(mhd, file->content.data(), file->content.size(), file->content_type);
  }

  // POST /api, at its head: the body's size is judged before any of it is
  // read; its bytes are counted in the body budget as they come
  // (book_body), so a length announced and never sent holds nothing.
  MHD_Result admit_body(MHD_Connection* mhd, Request& request) {
    if (MHD_lookup_connection_value(mhd, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING) != nullptr) {
      return respond(mhd, MHD_HTTP_LENGTH_REQUIRED);
    }
    const char* length_text = MHD_lookup_connection_value(mhd, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length_text == nullptr) return respond(mhd, MHD_HTTP_LENGTH_REQUIRED);
    const std::string_view text(length_text);
    std::uint64_t length = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
    if (ec == std::errc::result_out_of_range) return respond(mhd, MHD_HTTP_CONTENT_TOO_LARGE);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return respond(mhd, MHD_HTTP_BAD_REQUEST);
    if (length > protocol::kMaxHttpBodyBytes) return respond(mhd, MHD_HTTP_CONTENT_TOO_LARGE);
    request.expected = length;
    request.api = true;
    uploading_.insert(&request);
    return MHD_YES;
  }

  // Grows a body's buffer to hold `size` bytes, counting its capacity in
  // the body budget. When the budget is full the upload holding most (the
  // oldest among equals) is dropped, until this one fits; false if that
  // is this one (the caller closes its connection).
  bool book_body(Request& request, std::uint64_t size) {
    if (size <= request.booked) return true;
    constexpr std::uint64_t kFirstChunk = 16 * 1024;
    const std::uint64_t grown = std::min(request.expected, std::max({size, 2 * request.booked, kFirstChunk}));
    const std::uint64_t max = setup_.limits.max_body_bytes;
    while (counters_.body_bytes.load() - request.booked + grown > max) {
      Request* victim = &request;
      std::uint64_t victim_bytes = grown;
      for (Request* r : uploading_) {
        if (r == &request) continue;
        if (r->booked > victim_bytes || (r->booked == victim_bytes && r->started < victim->started)) {
          victim = r;
          victim_bytes = r->booked;
        }
      }
      add(counters_.bodies_dropped);
      release_body(*victim);
      victim->dropped = true;
      if (victim == &request) return false;
      if (victim->connection != nullptr) shut(*victim->connection);
    }
    request.body.reserve(static_cast<std::size_t>(grown));
    add(counters_.body_bytes, grown - request.booked);
    request.booked = grown;
    return true;
  }

  void release_body(Request& request) {
    sub(counters_.body_bytes, request.booked);
    request.booked = 0;
    Bytes().swap(request.body);
    uploading_.erase(&request);
  }

  // The whole body has arrived: decode it and hand it to the serving loop.
  MHD_Result forward(MHD_Connection* mhd, Request& request) {
    if (request.body.size() != request.expected) return respond(mhd, MHD_HTTP_BAD_REQUEST);
    const protocol::DecodedHttpBody decoded = protocol::decode_http_body(request.body);
    if (decoded.error == protocol::HttpBodyError::kTooLarge) return respond(mhd, MHD_HTTP_CONTENT_TOO_LARGE);
    if (decoded.error != protocol::HttpBodyError::kNone) return respond(mhd, MHD_HTTP_BAD_REQUEST);
    // The answer's room is taken now, while refusing still means that
    // nothing was done: a request the serving loop has handled always has
    // room for its answer (a deposit is never stored and answered 503).
    const std::size_t room = protocol::reserved_reply_bytes(decoded.frames.front());
    if (!make_room_for_answer(room)) return respond(mhd, MHD_HTTP_SERVICE_UNAVAILABLE);
    request.answer = allocate_answer(room);
    if (request.answer == nullptr) return respond(mhd, MHD_HTTP_SERVICE_UNAVAILABLE);
    const std::uint64_t tag = ++last_tag_;
    FixedBytes<kHttpTagBytes> tag_bytes{};
    for (std::size_t i = 0; i < kHttpTagBytes; ++i) tag_bytes[i] = static_cast<std::uint8_t>(tag >> (8 * i));
    // The high-water mark admits every request in flight, so this does not block.
    if (!dealer_.send(zmq::const_buffer(tag_bytes.data(), tag_bytes.size()), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      free_answer(std::exchange(request.answer, nullptr));
      return respond(mhd, MHD_HTTP_SERVICE_UNAVAILABLE);
    }
    for (std::size_t i = 0; i < decoded.frames.size(); ++i) {
      const auto flags = i + 1 < decoded.frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      (void)dealer_.send(zmq::const_buffer(decoded.frames[i].data(), decoded.frames[i].size()), flags);
    }
    // The body is with the serving loop now; what is held is the answer to come.
    release_body(request);
    request.tag = tag;
    waiting_.emplace(tag, &request);
    Connection* c = request.connection;
    c->suspended = true;
    c->watched = true;
    c->tag = tag;
    MHD_suspend_connection(mhd);
    return MHD_YES;
  }

  void take_answers() {
    for (int n = 0; n < kMaxAnswersPerRound; ++n) {
      std::vector<zmq::message_t> parts;
      zmq::message_t part;
      if (!dealer_.recv(part, zmq::recv_flags::dontwait)) return;
      bool more = part.more();
      parts.push_back(std::move(part));
      while (more) {
        zmq::message_t next;
        (void)dealer_.recv(next, zmq::recv_flags::none);
        more = next.more();
        parts.push_back(std::move(next));
      }
      if (parts[0].size() != kHttpTagBytes) continue;
      std::uint64_t tag = 0;
      for (std::size_t i = 0; i < kHttpTagBytes; ++i) {
        tag |= static_cast<std::uint64_t>(static_cast<const std::uint8_t*>(parts[0].data())[i]) << (8 * i);
      }
      const auto it = waiting_.find(tag);
      if (it == waiting_.end()) continue;  // its client went away meanwhile
      Request& request = *it->second;
      std::vector<ByteView> frames;
      for (std::size_t i = 1; i < parts.size(); ++i) {
        frames.emplace_back(static_cast<const std::uint8_t*>(parts[i].data()), parts[i].size());
      }
      // Encoded once, into the buffer libmicrohttpd will send and free:
      // the room taken with the request, or for the read-only operations
      // (whose room holds an error reply) a larger one, or 503 when the
      // answer budget has none: nothing was changed for them.
      const std::size_t size = protocol::encoded_http_body_size(frames);
      if (request.answer != nullptr && size > request.answer->capacity) {
        free_answer(std::exchange(request.answer, nullptr));
        if (make_room_for_answer(size)) request.answer = allocate_answer(size);
      }
      if (request.answer != nullptr) {
        protocol::encode_http_body_into(frames, request.answer->body(), size);
        request.answer->size = size;
      }
      request.answered = true;
      waiting_.erase(it);
      resume(request);
    }
  }

  void resume(Request& request) {
    if (request.connection != nullptr && request.connection->suspended) {
      request.connection->suspended = false;
      request.connection->deadline = Clock::now() + setup_.limits.request_timeout;
      MHD_resume_connection(request.connection->mhd);
    }
  }

  // A suspended connection's socket became readable: either its client
  // closed it (cancel the request) or it sent more (pipelining; stop
  // watching it, the answer comes in order).
  void check_gone(Connection& c) {
    std::uint8_t byte = 0;
    const ssize_t n = ::recv(c.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))) {
      c.watched = n <= 0;
      return;
    }
    const auto it = waiting_.find(c.tag);
    if (it == waiting_.end()) return;
    Request& request = *it->second;
    send_cancel(request.tag);
    request.cancelled = true;
    waiting_.erase(it);
    resume(request);
  }

  void send_cancel(std::uint64_t tag) {
    FixedBytes<kHttpTagBytes> tag_bytes{};
    for (std::size_t i = 0; i < kHttpTagBytes; ++i) tag_bytes[i] = static_cast<std::uint8_t>(tag >> (8 * i));
    (void)dealer_.send(zmq::const_buffer(tag_bytes.data(), tag_bytes.size()), zmq::send_flags::dontwait);
  }

  // An answer of `size` bytes fits the answer budget, or is made to fit by
  // dropping the connections whose answers have waited longest to be read
  // (their bytes come back when libmicrohttpd closes them, in this round);
  // false if it cannot be.
  bool make_room_for_answer(std::size_t size) {
    const std::uint64_t max = setup_.limits.max_answer_bytes;
    if (size > max) return false;
    std::uint64_t freeing = 0;  // held by connections already shut, soon freed
    for (const Connection* c : connections_) {
      if (c->shut && c->responding) freeing += c->answer_bytes;
    }
    while (counters_.answer_bytes.load() + size > max + freeing) {
      Connection* oldest = nullptr;
      for (Connection* c : connections_) {
        if (c->responding && !c->shut && c->answer_bytes > 0 &&
            (oldest == nullptr || c->answer_deadline < oldest->answer_deadline)) {
          oldest = c;
        }
      }
      if (oldest == nullptr) return false;
      shut(*oldest);
      freeing += oldest->answer_bytes;
      add(counters_.answers_dropped);
    }
    return true;
  }

  // Room for an answer of up to `capacity` bytes, counted in the answer
  // budget (which the caller has made room in); null if out of memory.
  Answer* allocate_answer(std::size_t capacity) {
    void* memory = std::malloc(sizeof(Answer) + capacity);
    if (memory == nullptr) return nullptr;
    add(counters_.answer_bytes, capacity);
    return new (memory) Answer{this, capacity, 0};
  }

  void free_answer(Answer* answer) {
    sub(counters_.answer_bytes, answer->capacity);
    std::free(answer);
  }

  // A head, a request or an answer that is not through in time: its
  // connection is shut down.
  void enforce_deadlines() {
    const Clock::time_point now = Clock::now();
    for (Connection* c : connections_) {
      if (c->shut || c->suspended) continue;
      if (c->responding) {
        if (now > c->answer_deadline) {
          shut(*c);
          add(counters_.write_timeouts);
        }
      } else if (now > c->deadline) {
        shut(*c);
        add(counters_.request_timeouts);
      }
    }
  }

  // An answer without a body (an error, or 405 with its Allow).
  MHD_Result respond(MHD_Connection* mhd, unsigned status, const char* allow = nullptr) {
    switch (status) {
      case MHD_HTTP_BAD_REQUEST: add(counters_.malformed); break;
      case MHD_HTTP_CONTENT_TOO_LARGE: add(counters_.too_large); break;
      case MHD_HTTP_LENGTH_REQUIRED: add(counters_.no_length); break;
      case MHD_HTTP_SERVICE_UNAVAILABLE: add(counters_.busy); break;
      default: add(counters_.not_found); break;  // 404, 405
    }
    MHD_Response* response = MHD_create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT);
    if (response == nullptr) return MHD_NO;
    return finish(mhd, response, status, "", allow);
  }

  // A file or the channel address: they live as long as the door, so they
  // are served from memory without a copy.
  MHD_Result respond_static(MHD_Connection* mhd, const void* data, std::size_t size, const std::string& type) {
    MHD_Response* response = MHD_create_response_from_buffer(size, const_cast<void*>(data), MHD_RESPMEM_PERSISTENT);
    if (response == nullptr) return MHD_NO;
    add(counters_.served);
    return finish(mhd, response, MHD_HTTP_OK, type, nullptr);
  }

  // 204 with the door's headers and no body (GET /favicon.ico).
  MHD_Result respond_no_content(MHD_Connection* mhd) {
    MHD_Response* response = MHD_create_response_from_buffer(0, nullptr, MHD_RESPMEM_PERSISTENT);
    if (response == nullptr) return MHD_NO;
    add(counters_.served);
    return finish(mhd, response, MHD_HTTP_NO_CONTENT, "", nullptr);
  }

  // The relay's answer to POST /api, handed over with its buffer.
  MHD_Result respond_answer(MHD_Connection* mhd, Request& request) {
    Answer* answer = std::exchange(request.answer, nullptr);
    if (answer == nullptr) return respond(mhd, MHD_HTTP_SERVICE_UNAVAILABLE);
    MHD_Response* response =
        MHD_create_response_from_buffer_with_free_callback_cls(answer->size, answer->body(), &Loop::answer_freed, answer);
    if (response == nullptr) {
      free_answer(answer);
      return MHD_NO;
    }
    add(counters_.answered);
    const MHD_Result queued = finish(mhd, response, MHD_HTTP_OK, "application/octet-stream", nullptr);
    if (queued == MHD_YES && request.connection != nullptr) request.connection->answer_bytes = answer->capacity;
    return queued;
  }

  MHD_Result finish(MHD_Connection* mhd, MHD_Response* response, unsigned status, const std::string& type,
                    const char* allow) {
    for (const auto& [name, value] : kHttpDoorHeaders) MHD_add_response_header(response, name, value);
    if (!type.empty()) MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, type.c_str());
    if (allow != nullptr) MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow);
    const MHD_Result queued = MHD_queue_response(mhd, status, response);
    MHD_destroy_response(response);
    // From now the answer has request_timeout to leave (a client that
    // reads slowly or not at all holds it no longer).
    auto* c = static_cast<Connection*>(MHD_get_connection_info(mhd, MHD_CONNECTION_INFO_SOCKET_CONTEXT)->socket_context);
    if (queued == MHD_YES && c != nullptr) {
      c->responding = true;
      c->answer_deadline = Clock::now() + setup_.limits.request_timeout;
    }
    return queued;
  }

  HttpDoorSetup setup_;
  const std::string channel_text_;  // GET /channel's answer
  HttpGate gate_;                   // the listening socket and heads still arriving
  zmq::socket_t dealer_;
  MHD_Daemon* daemon_ = nullptr;
  std::uint16_t port_ = 0;
  std::unordered_set<Connection*> connections_;
  std::unordered_map<std::uint64_t, Request*> waiting_;  // sent to the serving loop, not yet answered
  std::unordered_set<Request*> uploading_;                // POST /api whose body is arriving
  std::uint64_t last_tag_ = 0;
  Counters counters_;
};

HttpDoor::HttpDoor(zmq::context_t& context, HttpDoorSetup setup) {
  loop_ = std::make_unique<Loop>(context, std::move(setup));
  port_ = loop_->port();
  thread_ = std::thread([this] {
    try {
      loop_->run(stop_);
    } catch (const std::exception& e) {
      log(LogLevel::kError, std::string("http door stopped: ") + e.what());
    }
  });
}

HttpDoorFigures HttpDoor::figures() const { return loop_->figures(); }

HttpDoor::~HttpDoor() {
  stop_ = true;
  thread_.join();
}

}  // namespace meldpunt::relay
