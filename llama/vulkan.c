// What ggml-vulkan does not report about its devices: the Vulkan device type (it calls Mesa's lavapipe, a CPU
// device, a GPU) and the driver. Read through the Vulkan loader that libggml-vulkan.so already brought in, with the
// few Vulkan 1.2 declarations needed here, so that chimera builds without the Vulkan headers.
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "bridge.h"

typedef struct {
    int32_t sType;
    const void * pNext;
    const char * pApplicationName;
    uint32_t applicationVersion;
    const char * pEngineName;
    uint32_t engineVersion;
    uint32_t apiVersion;
} vk_application_info;

typedef struct {
    int32_t sType;
    const void * pNext;
    uint32_t flags;
    const vk_application_info * pApplicationInfo;
    uint32_t enabledLayerCount;
    const char * const * ppEnabledLayerNames;
    uint32_t enabledExtensionCount;
    const char * const * ppEnabledExtensionNames;
} vk_instance_create_info;

typedef struct {
    int32_t sType;
    void * pNext;
    uint32_t apiVersion, driverVersion, vendorID, deviceID;
    int32_t deviceType;
    char deviceName[256];
    uint64_t rest[256]; // the remaining VkPhysicalDeviceProperties (limits, ...), about 600 bytes
} vk_physical_device_properties2;

typedef struct {
    int32_t sType;
    void * pNext;
    uint8_t deviceUUID[16], driverUUID[16], deviceLUID[8];
    uint32_t deviceNodeMask, deviceLUIDValid;
} vk_physical_device_id_properties;

typedef struct {
    int32_t sType;
    void * pNext;
    int32_t driverID;
    char driverName[256], driverInfo[256];
    uint8_t conformanceVersion[4];
} vk_physical_device_driver_properties;

typedef void * (*vk_get_instance_proc_addr)(void * instance, const char * name);
typedef int32_t (*vk_create_instance)(const vk_instance_create_info * info, const void * allocator, void ** instance);
typedef void (*vk_destroy_instance)(void * instance, const void * allocator);
typedef int32_t (*vk_enumerate_physical_devices)(void * instance, uint32_t * count, void ** devices);
typedef void (*vk_get_physical_device_properties2)(void * device, vk_physical_device_properties2 * props);

int chimera_vk_devices(struct chimera_vk_device out[CHIMERA_VK_MAX_DEVICES]) {
    void * loader = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
    if (loader == NULL) {
        return -1;
    }
    int n = -1;
    vk_get_instance_proc_addr proc = (vk_get_instance_proc_addr) dlsym(loader, "vkGetInstanceProcAddr");
    vk_create_instance create = proc ? (vk_create_instance) proc(NULL, "vkCreateInstance") : NULL;
    vk_application_info app = {.sType = 0, .pApplicationName = "chimera", .apiVersion = (1u << 22) | (2u << 12)};
    vk_instance_create_info info = {.sType = 1, .pApplicationInfo = &app};
    void * instance = NULL;
    if (create != NULL && create(&info, NULL, &instance) == 0) {
        vk_destroy_instance destroy = (vk_destroy_instance) proc(instance, "vkDestroyInstance");
        vk_enumerate_physical_devices enumerate = (vk_enumerate_physical_devices) proc(instance, "vkEnumeratePhysicalDevices");
        vk_get_physical_device_properties2 properties =
            (vk_get_physical_device_properties2) proc(instance, "vkGetPhysicalDeviceProperties2");
        void * devices[CHIMERA_VK_MAX_DEVICES];
        uint32_t count = CHIMERA_VK_MAX_DEVICES;
        // VK_INCOMPLETE (5) only says that there are more devices than room.
        int32_t result = enumerate && properties ? enumerate(instance, &count, devices) : -1;
        if (result == 0 || result == 5) {
            for (uint32_t i = 0; i < count; i++) {
                vk_physical_device_driver_properties driver = {.sType = 1000196000};
                vk_physical_device_id_properties id = {.sType = 1000071004, .pNext = &driver};
                vk_physical_device_properties2 props = {.sType = 1000059001, .pNext = &id};
                properties(devices[i], &props);
                const uint8_t * u = id.deviceUUID;
                // The id ggml-vulkan gives the device (ggml_vk_get_device_id).
                snprintf(out[i].uuid, sizeof out[i].uuid,
                         "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2],
                         u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
                out[i].type = props.deviceType;
                memcpy(out[i].driver_name, driver.driverName, sizeof out[i].driver_name);
                memcpy(out[i].driver_info, driver.driverInfo, sizeof out[i].driver_info);
            }
            n = (int) count;
        }
        if (destroy != NULL) {
            destroy(instance, NULL);
        }
    }
    dlclose(loader);
    return n;
}
