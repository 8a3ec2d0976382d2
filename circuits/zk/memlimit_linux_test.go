package zk_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"agegate.dev/circuits/zk"
)

// memLimitChild names the key directory a re-executed test binary decodes from.
const memLimitChild = "AGEGATE_ZK_MEMLIMIT_KEYS"

// memLimitHeadroom is the address space the child may grow by once the circuit is compiled:
// decoding the real proving key (a few MB of points, ~10 MB of heap) and Go's arenas fit in it
// many times over, while a slice sized from a hostile length prefix (2^28 G1 points = 16 GiB)
// does not, and the runtime dies with "fatal error: out of memory", which no recover catches.
const memLimitHeadroom = 1 << 30

// The decoders are run on hostile keys in a child process whose address space is capped
// (RLIMIT_AS), so an allocation sized from a hostile prefix kills the child instead of passing
// unnoticed on a machine with memory to spare. The parent asserts that the child exited 0,
// that the real keys decoded under the cap, and that every hostile key was refused with an error.
func TestUnmarshalKeys_hostileInputsUnderMemoryLimit_refusedWithoutCrash(t *testing.T) {
	if dir := os.Getenv(memLimitChild); dir != "" {
		decodeUnderMemoryLimit(t, dir)
		return
	}
	keys(t)
	dir := t.TempDir()
	if err := zk.SaveKeys(dir, pk, vk); err != nil {
		t.Fatal(err)
	}
	cases := allHostileCases(zk.MarshalVerifyingKey(vk), zk.MarshalProvingKey(pk))
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnmarshalKeys_hostileInputsUnderMemoryLimit_refusedWithoutCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), memLimitChild+"="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	refused := map[string]bool{}
	var last string
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, ok := strings.CutPrefix(line, "refused\t"); ok {
			name, _, _ = strings.Cut(name, "\t")
			refused[name] = true
		}
		if strings.HasPrefix(line, "accepted\t") || strings.HasPrefix(line, "ACCEPTED\t") || strings.HasPrefix(line, "limit\t") || strings.HasPrefix(line, "peak\t") {
			t.Log(line)
		}
		if strings.HasPrefix(line, "case\t") {
			last = strings.TrimPrefix(line, "case\t")
		}
		if strings.HasPrefix(line, "ACCEPTED\t") {
			t.Errorf("hostile key accepted: %s", line)
		}
	}
	if err != nil {
		t.Fatalf("the decoding child died (%v) while decoding %q:\n%s", err, last, fatalLines(stderr.String()))
	}
	for _, c := range cases {
		if !refused[c.name] {
			t.Errorf("%s: not refused", c.name)
		}
	}
	t.Logf("%d hostile keys refused under the memory limit", len(refused))
}

func allHostileCases(rawVK, rawPK []byte) []hostileCase {
	v, err := zk.UnmarshalVerifyingKey(rawVK)
	if err != nil {
		panic(err)
	}
	p, err := zk.UnmarshalProvingKey(rawPK)
	if err != nil {
		panic(err)
	}
	return append(hostileCases("vk", rawVK, vkLayout(v)), hostileCases("pk", rawPK, pkLayout(p))...)
}

// decodeUnderMemoryLimit is the child: it compiles the circuit, caps its address space, decodes
// the real keys, then every hostile variant, and prints one line per key.
func decodeUnderMemoryLimit(t *testing.T, dir string) {
	rawVK, err := os.ReadFile(filepath.Join(dir, zk.VerifyingKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	rawPK, err := os.ReadFile(filepath.Join(dir, zk.ProvingKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zk.Compile(); err != nil {
		t.Fatal(err)
	}
	size := procStatus("VmSize")
	limit := size + memLimitHeadroom
	if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("limit\tRLIMIT_AS %d MiB (VmSize %d MiB after compiling + %d MiB)\n", limit>>20, size>>20, memLimitHeadroom>>20)
	if _, err := zk.NewVerifier(rawVK); err != nil {
		t.Fatalf("real verifying key under the limit: %v", err)
	}
	if _, err := zk.NewProver(rawPK); err != nil {
		t.Fatalf("real proving key under the limit: %v", err)
	}
	fmt.Printf("accepted\treal vk (%d bytes) and pk (%d bytes) under the limit\n", len(rawVK), len(rawPK))
	for _, c := range allHostileCases(rawVK, rawPK) {
		fmt.Printf("case\t%s\n", c.name)
		if c.key == "vk" {
			_, err = zk.NewVerifier(c.apply(rawVK))
		} else {
			_, err = zk.NewProver(c.apply(rawPK))
		}
		if err == nil {
			fmt.Printf("ACCEPTED\t%s\n", c.name)
			continue
		}
		fmt.Printf("refused\t%s\t%v\n", c.name, err)
	}
	fmt.Printf("peak\tVmPeak %d MiB, VmHWM %d MiB\n", procStatus("VmPeak")>>20, procStatus("VmHWM")>>20)
}

// procStatus reads a "kB" line of /proc/self/status, in bytes.
func procStatus(key string) uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		panic(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			n, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				panic(err)
			}
			return n << 10
		}
	}
	panic("no " + key + " in /proc/self/status")
}

// fatalLines keeps the runtime's own words from a crashed child's stderr: the fatal error or
// panic and the first frames of the goroutine that raised it, not every goroutine's stack.
func fatalLines(stderr string) string {
	lines := strings.Split(stderr, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "fatal error") || strings.HasPrefix(l, "panic") || strings.HasPrefix(l, "runtime:") {
			return strings.Join(lines[i:min(i+16, len(lines))], "\n")
		}
	}
	return strings.Join(lines[max(0, len(lines)-16):], "\n")
}
