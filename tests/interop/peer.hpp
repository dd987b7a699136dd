// The peer program (tests/programs/external_peer.cpp) in its own process, holding one end of a
// socket pair: the other side of every cross-process sharing test.
#pragma once
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "interop/fd_passing.hpp"

extern char** environ;

namespace external {

// The peer program in its own process, with one end of a socket pair.
class Peer {
 public:
  Peer() {
    int pair[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, pair) == 0);
    socket_ = pair[0];
    fcntl(socket_, F_SETFD, FD_CLOEXEC);  // only the peer's end crosses exec
    const std::string fdArg = std::to_string(pair[1]);
    char* argv[] = {const_cast<char*>(EMVK_TEST_PEER), const_cast<char*>(fdArg.c_str()), nullptr};
    REQUIRE(posix_spawn(&pid_, EMVK_TEST_PEER, nullptr, nullptr, argv, environ) == 0);
    close(pair[1]);
  }
  ~Peer() {
    if (!waited_) fdpass::send(socket_, fdpass::message("quit"));
    close(socket_);
    int status = 0;
    if (!waited_) waitpid(pid_, &status, 0);
  }
  // Sends a request (with `fd` if >= 0) and returns the reply's text; `replyFd` gets any fd back.
  std::string request(const fdpass::Message& m, int fd = -1, int* replyFd = nullptr) {
    REQUIRE(fdpass::send(socket_, m, fd));
    return reply(replyFd);
  }
  // Sends without waiting for a reply (for requests answered in several steps).
  void send(const fdpass::Message& m, int fd = -1) { REQUIRE(fdpass::send(socket_, m, fd)); }
  // The next reply's text.
  std::string reply(int* replyFd = nullptr) {
    fdpass::Message reply;
    int received = -1;
    REQUIRE(fdpass::receive(socket_, reply, received));
    if (replyFd)
      *replyFd = received;
    else if (received >= 0)
      close(received);
    return reply.text;
  }
  void wait() {
    int status = 0;
    REQUIRE(waitpid(pid_, &status, 0) == pid_);
    waited_ = true;
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  bool waited() const { return waited_; }

 private:
  int socket_ = -1;
  pid_t pid_ = -1;
  bool waited_ = false;
};

}  // namespace external
