#include "device/sync_payload_slot.hpp"

#include "device/physical_device.hpp"

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

Result<bool> SyncPayloadSlot::importFd(int fd, bool syncFd, memory::SyncKind kind, bool temporary) {
  if (syncFd) {
    // The import tables of VkImportSemaphoreFdInfoKHR / VkImportFenceFdInfoKHR: a sync file is
    // copy transference, temporary only.
    auto file = memory::SyncFile::import(fd);
    if (!file) return file.error();
    import(file.take());
    return true;
  }
  auto page = memory::SyncPage::import(fd, kind, PhysicalDevice::driverUUID().data());
  if (!page) return page.error();
  import(page.take(), temporary);
  return true;
}

bool SyncPayloadSlot::dropTemporary() {
  const bool had = syncFile_ || temporary_;
  syncFile_.reset();
  temporary_.reset();
  return had;
}

}  // namespace emvk
