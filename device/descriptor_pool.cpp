#include "device/descriptor_pool.hpp"

#include <algorithm>

#include "device/device.hpp"
#include "device/instance.hpp"
#include "device/log.hpp"

namespace emvk {

DescriptorPool::DescriptorPool(Device& device, const VkDescriptorPoolCreateInfo& info)
    : Object(VK_OBJECT_TYPE_DESCRIPTOR_POOL),
      device_(device),
      flags_(info.flags),
      maxSets_(info.maxSets) {
  // Several sizes may name one type: they add up (section "Descriptor Pools"). The types are core
  // ones, checked by emvk_CreateDescriptorPool.
  for (uint32_t i = 0; i < info.poolSizeCount; ++i) {
    uint32_t& capacity = capacity_[info.pPoolSizes[i].type];
    capacity = static_cast<uint32_t>(
        std::min<uint64_t>(UINT32_MAX, uint64_t{capacity} + info.pPoolSizes[i].descriptorCount));
  }
}

Result<DescriptorSet*> DescriptorPool::allocate(std::shared_ptr<const SlotTable> table) {
  // Section "Allocation of Descriptor Sets": a set past maxSets, or past the pool size of a type,
  // fails with VK_ERROR_OUT_OF_POOL_MEMORY (core in 1.1).
  if (sets_.size() >= maxSets_)
    return Error{VK_ERROR_OUT_OF_POOL_MEMORY,
                 concat("all ", maxSets_, " sets of the pool (maxSets) are allocated")};
  for (uint32_t t = 0; t < kDescriptorTypeCount; ++t)
    if (table->counts[t] > capacity_[t] - used_[t])
      return Error{VK_ERROR_OUT_OF_POOL_MEMORY,
                   concat("the set needs ", table->counts[t], " ",
                          descriptorTypeName(static_cast<VkDescriptorType>(t)),
                          " descriptors and the pool has ", capacity_[t] - used_[t], " of ",
                          capacity_[t], " left")};
  for (uint32_t t = 0; t < kDescriptorTypeCount; ++t) used_[t] += table->counts[t];
  sets_.push_back(std::make_unique<DescriptorSet>(*this, std::move(table)));
  sets_.back()->poolIndex_ = sets_.size() - 1;
  return sets_.back().get();
}

void DescriptorPool::free(DescriptorSet* set) {
  for (uint32_t t = 0; t < kDescriptorTypeCount; ++t) used_[t] -= set->table().counts[t];
  const size_t index = set->poolIndex_;
  std::swap(sets_[index], sets_.back());
  sets_[index]->poolIndex_ = index;
  sets_.pop_back();  // destroys `set`
}

void DescriptorPool::reset() {
  sets_.clear();
  used_ = {};
}

}  // namespace emvk

using namespace emvk;

VKAPI_ATTR VkResult VKAPI_CALL
emvk_CreateDescriptorPool(VkDevice device, const VkDescriptorPoolCreateInfo* pCreateInfo,
                          const VkAllocationCallbacks*, VkDescriptorPool* pDescriptorPool) {
  Device* d = fromHandle(device);
  // UPDATE_AFTER_BIND (descriptor indexing) and HOST_ONLY (mutable descriptors) need extensions
  // emvk does not offer (VUID-VkDescriptorPoolCreateInfo-flags-parameter).
  if (pCreateInfo->flags & ~VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT) {
    EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateDescriptorPool: flags 0x", std::hex,
             pCreateInfo->flags, " need extensions emvk does not offer");
    return VK_ERROR_FEATURE_NOT_PRESENT;
  }
  for (uint32_t i = 0; i < pCreateInfo->poolSizeCount; ++i) {
    // VUID-VkDescriptorPoolSize-type-parameter: other types come from extensions emvk lacks.
    if (!isCoreDescriptorType(pCreateInfo->pPoolSizes[i].type)) {
      EMVK_LOG(&d->instance(), Error, logObject(d), "vkCreateDescriptorPool: pool size ", i, ": ",
               descriptorTypeName(pCreateInfo->pPoolSizes[i].type),
               " needs an extension emvk does not offer");
      return VK_ERROR_FEATURE_NOT_PRESENT;
    }
  }
  *pDescriptorPool = release<VkDescriptorPool>(std::make_unique<DescriptorPool>(*d, *pCreateInfo));
  return VK_SUCCESS;
}

VKAPI_ATTR void VKAPI_CALL emvk_DestroyDescriptorPool(VkDevice, VkDescriptorPool descriptorPool,
                                                      const VkAllocationCallbacks*) {
  reclaim(descriptorPool);  // frees every set allocated from it
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_ResetDescriptorPool(VkDevice, VkDescriptorPool descriptorPool,
                                                        VkDescriptorPoolResetFlags) {
  fromHandle(descriptorPool)->reset();
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL
emvk_AllocateDescriptorSets(VkDevice device, const VkDescriptorSetAllocateInfo* pAllocateInfo,
                            VkDescriptorSet* pDescriptorSets) {
  DescriptorPool* pool = fromHandle(pAllocateInfo->descriptorPool);
  const uint32_t count = pAllocateInfo->descriptorSetCount;
  for (uint32_t i = 0; i < count; ++i) {
    Result<DescriptorSet*> set =
        pool->allocate(fromHandle(pAllocateInfo->pSetLayouts[i])->sharedTable());
    if (set) {
      pDescriptorSets[i] = toHandle(set.value());
      continue;
    }
    // Section "Allocation of Descriptor Sets": when one set fails, the sets this call made are
    // freed and every handle is VK_NULL_HANDLE.
    for (uint32_t j = i; j-- > 0;) pool->free(fromHandle(pDescriptorSets[j]));
    std::fill_n(pDescriptorSets, count, VK_NULL_HANDLE);
    // Not an application error: running out is how an application learns to make another pool.
    EMVK_LOG(&fromHandle(device)->instance(), Info, logObject(pool),
             "vkAllocateDescriptorSets: set ", i, " does not fit: ", set.error().why);
    return set.error().code;
  }
  return VK_SUCCESS;
}

VKAPI_ATTR VkResult VKAPI_CALL emvk_FreeDescriptorSets(VkDevice device,
                                                       VkDescriptorPool descriptorPool,
                                                       uint32_t descriptorSetCount,
                                                       const VkDescriptorSet* pDescriptorSets) {
  DescriptorPool* pool = fromHandle(descriptorPool);
  // VUID-vkFreeDescriptorSets-descriptorPool-00312: only such pools free single sets; the others
  // give their room back when reset.
  if (!pool->canFreeSets()) {
    EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(pool),
             "vkFreeDescriptorSets: the pool was created without FREE_DESCRIPTOR_SET_BIT; its sets "
             "stay allocated until vkResetDescriptorPool");
    return VK_SUCCESS;  // the only code the command has
  }
  for (uint32_t i = 0; i < descriptorSetCount; ++i) {
    DescriptorSet* set = fromHandle(pDescriptorSets[i]);
    if (!set) continue;  // null handles are allowed and ignored
    // VUID-vkFreeDescriptorSets-pDescriptorSets-parent: another pool's set would corrupt both.
    if (&set->pool() != pool) {
      EMVK_LOG(&fromHandle(device)->instance(), Error, logObject(set), "vkFreeDescriptorSets: set ",
               i, " was not allocated from this pool; it stays allocated");
      continue;
    }
    pool->free(set);
  }
  return VK_SUCCESS;
}
