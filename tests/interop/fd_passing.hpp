// Passing a file descriptor to another process over a Unix socket (SCM_RIGHTS), the way interop
// programs hand exported memory to a peer. Header-only: used by the tests and by the peer program.
#pragma once
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

namespace fdpass {

// One fixed-size message each way; `fd` travels alongside when it is >= 0.
struct Message {
  char op[32];
  uint64_t size;
  uint32_t memoryType;
  uint64_t seed;
  uint64_t seed2;
  uint32_t width, height, mipLevels, arrayLayers, format, tiling;  // image requests
  char text[512];
};

inline bool send(int socket, const Message& m, int fd = -1) {
  iovec io{const_cast<Message*>(&m), sizeof(m)};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (fd >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }
  return sendmsg(socket, &msg, 0) == static_cast<ssize_t>(sizeof(m));
}

// Receives a message; `fd` is the descriptor that came with it, or -1.
inline bool receive(int socket, Message& m, int& fd) {
  iovec io{&m, sizeof(m)};
  msghdr msg{};
  msg.msg_iov = &io;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof(control);
  fd = -1;
  if (recvmsg(socket, &msg, MSG_CMSG_CLOEXEC) != static_cast<ssize_t>(sizeof(m))) return false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return true;
}

inline Message message(const char* op, uint64_t size = 0, uint32_t type = 0, uint64_t seed = 0,
                       uint64_t seed2 = 0) {
  Message m{};
  std::strncpy(m.op, op, sizeof(m.op) - 1);
  m.size = size;
  m.memoryType = type;
  m.seed = seed;
  m.seed2 = seed2;
  return m;
}

}  // namespace fdpass
