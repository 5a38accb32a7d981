/* Group commit durability: one syncfs(2) per group (what GroupCommitWriter does) against
 * starting writeback of each file (sync_file_range) and then fdatasync(2) of each.
 * Usage: group-sync DIR MODE GROUPS FILES_PER_GROUP   (MODE 0 = syncfs, 1 = per file)
 * Prints the mean milliseconds per group spent making the group durable (plus the directory fsync). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double seconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec + now.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s DIR MODE GROUPS FILES_PER_GROUP\n", argv[0]); return 2; }
    const char *directory = argv[1];
    int mode = atoi(argv[2]), groups = atoi(argv[3]), perGroup = atoi(argv[4]);
    if (perGroup < 1 || perGroup > 256 || groups < 1) { fprintf(stderr, "1-256 files per group\n"); return 2; }
    static char data[100000]; /* about one signed contract */
    memset(data, 'x', sizeof data);
    int directoryDescriptor = open(directory, O_RDONLY | O_DIRECTORY);
    if (directoryDescriptor < 0) { perror(directory); return 1; }
    double total = 0;
    for (int group = 0; group < groups; group++) {
        int files[256];
        char path[4096];
        for (int index = 0; index < perGroup; index++) {
            snprintf(path, sizeof path, "%s/file-%d-%d-%d", directory, mode, group, index);
            files[index] = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (files[index] < 0 || write(files[index], data, sizeof data) != (ssize_t)sizeof data) { perror(path); return 1; }
        }
        double start = seconds();
        if (mode == 0) {
            if (syncfs(directoryDescriptor) != 0) { perror("syncfs"); return 1; }
        } else {
            for (int index = 0; index < perGroup; index++) sync_file_range(files[index], 0, 0, SYNC_FILE_RANGE_WRITE);
            for (int index = 0; index < perGroup; index++)
                if (fdatasync(files[index]) != 0) { perror("fdatasync"); return 1; }
        }
        if (fsync(directoryDescriptor) != 0) { perror("fsync"); return 1; }
        total += seconds() - start;
        for (int index = 0; index < perGroup; index++) close(files[index]);
    }
    printf("%.3f\n", total / groups * 1e3);
    return 0;
}
