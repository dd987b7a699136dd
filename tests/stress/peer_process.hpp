// The stress peer (tests/programs/stress_peer.cpp) as a child process the test can talk to, kill
// and reap. Unlike interop's Peer it uses no Catch assertions — a killer thread calls kill() while
// the test's own thread is blocked in a wait — and every reply has a timeout, so a peer that died
// or hangs fails the test instead of hanging it.
#pragma once
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "interop/fd_passing.hpp"

extern char** environ;

namespace stress {

class PeerProcess {
 public:
  PeerProcess() {
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return;
    socket_ = pair[0];
    fcntl(pair[1], F_SETFD, 0);  // only the peer's end crosses exec
    const std::string fdArg = std::to_string(pair[1]);
    char* argv[] = {const_cast<char*>(EMVK_TEST_STRESS_PEER), const_cast<char*>(fdArg.c_str()),
                    nullptr};
    if (posix_spawn(&pid_, EMVK_TEST_STRESS_PEER, nullptr, nullptr, argv, environ) != 0) pid_ = -1;
    close(pair[1]);
  }
  // A peer still running is killed: a failed test must not leave processes behind.
  ~PeerProcess() {
    if (pid_ > 0 && !reaped_) {
      kill();
      reap();
    }
    if (socket_ >= 0) close(socket_);
  }
  PeerProcess(const PeerProcess&) = delete;
  PeerProcess& operator=(const PeerProcess&) = delete;

  bool started() const { return pid_ > 0 && socket_ >= 0; }
  pid_t pid() const { return pid_; }

  bool send(const fdpass::Message& m, int fd = -1) { return fdpass::send(socket_, m, fd); }

  // The next reply's text, or "" if none came within `timeout` (the peer died or hangs).
  std::string reply(std::chrono::milliseconds timeout) {
    pollfd p{socket_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1 || !(p.revents & POLLIN)) return {};
    fdpass::Message m;
    int fd = -1;
    if (!fdpass::receive(socket_, m, fd)) return {};
    if (fd >= 0) close(fd);
    return m.text;
  }

  void kill() const { ::kill(pid_, SIGKILL); }

  // Waits for the peer to end and returns its wait status (-1 if there was no peer).
  int reap() {
    if (pid_ <= 0 || reaped_) return -1;
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
  }

 private:
  int socket_ = -1;
  pid_t pid_ = -1;
  bool reaped_ = false;
};

}  // namespace stress
