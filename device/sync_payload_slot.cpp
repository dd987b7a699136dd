#include "device/sync_payload_slot.hpp"

namespace emvk {

void SyncPayloadSlot::import(memory::SyncPage page, bool temporary) {
  if (temporary) {
    temporary_ = std::move(page);
    return;
  }
  temporary_.reset();
  syncFile_.reset();
  permanent_ = std::move(page);
}

bool SyncPayloadSlot::dropTemporary() {
  const bool had = syncFile_ || temporary_;
  syncFile_.reset();
  temporary_.reset();
  return had;
}

}  // namespace emvk
