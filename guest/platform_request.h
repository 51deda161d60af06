/* What a partition's platform devices ask of the partition as a whole: to power off (ACPI S5,
 * guest/acpi_pm.c) or to reset (the reset control register, the 8042's reset pulse,
 * guest/reset_control.c). A device calls its request function during the guest's port write;
 * the integrator stops or restarts the partition once the exit is handled. */
#ifndef GUEST_PLATFORM_REQUEST_H
#define GUEST_PLATFORM_REQUEST_H

enum platform_request {
    PLATFORM_NONE,
    PLATFORM_POWER_OFF,
    PLATFORM_RESET,
};

/* ctx is the pointer the device was given with fn; never called with PLATFORM_NONE. */
typedef void (*platform_request_fn)(void *ctx, enum platform_request request);

static inline const char *platform_request_name(enum platform_request request)
{
    switch (request) {
    case PLATFORM_POWER_OFF:
        return "powered off";
    case PLATFORM_RESET:
        return "reset";
    default:
        return "none";
    }
}

#endif
