"""A neighbour that keeps dirtying the page cache: rewrites eight 64 MB files for N seconds."""
import sys
import time

chunk = b"y" * (8 << 20)
end = time.time() + float(sys.argv[2])
round_ = 0
while time.time() < end:
    with open(f"{sys.argv[1]}/noise-{round_ % 8}", "wb") as file:
        for _ in range(8):
            file.write(chunk)
    round_ += 1
