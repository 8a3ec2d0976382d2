// Command agegate-load drives complete age-check flows against one or more
// gateways and reports what happened to every one of them.
//
// A flow is: create a check (POST /v1/checks), fetch and verify its signed request
// object, prove, post the response (POST /v1/responses/{id}), redeem the token
// (POST /v1/checks/{tx}/token). A proof is bound to its check's nonce, so it cannot
// be made before the check exists; the tool therefore runs in two phases:
//
//  1. prepare (not timed): create the checks and prove them, with one prover per core;
//  2. measure (timed): post every response and redeem every token with --concurrency
//     workers, optionally replaying each response once (--replay) to count duplicates.
//
// It stops by itself after --flows flows or --duration, whichever comes first, and
// prints a JSON report: counts (created, verified, rejected, expired, duplicated,
// redeemed, lost, errors), p50/p99 latency per endpoint, and verified flows per second.
// Traffic goes only where --gateway points (loopback in this repository's tests).
//
// Several gateways behind one public URL: every request goes to the gateway the tool
// picks (the request object's response_uri names the public URL; only its path is
// used), and a request that cannot reach its gateway (connection refused: a node
// killed) is sent to the next one, as a load balancer would. --kill-pid kills a
// process (SIGKILL) after --kill-after flows of the measured phase, so "0 lost and 0
// duplicated with a node killed" is measured in one run. --rate caps the measured
// phase's flows per second (for latency at a fixed fraction of the sustainable rate);
// --warmup answers that many prepared flows untimed first, so the measured phase does
// not time the gateway's JIT compilation.
package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"agegate.dev/circuits/oid4vp"
	"agegate.dev/circuits/zk"
	"github.com/consensys/gnark/logger"
)

type flow struct {
	gateway  string
	tx       string
	verifier string
	ro       *oid4vp.RequestObject
	vpToken  string
	redeemed string // the last redemption attempt: gateway, attempt, status and body or error
}

type latencies struct {
	mu sync.Mutex
	d  map[string][]time.Duration
}

func (l *latencies) add(endpoint string, d time.Duration) {
	l.mu.Lock()
	l.d[endpoint] = append(l.d[endpoint], d)
	l.mu.Unlock()
}

func percentile(ds []time.Duration, p float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p * float64(len(s)-1))
	return float64(s[i].Microseconds()) / 1000
}

// Report is the JSON the tool prints.
type Report struct {
	Flows      int   `json:"flows"`
	Created    int64 `json:"created"`
	Verified   int64 `json:"verified"`
	Rejected   int64 `json:"rejected"`
	Expired    int64 `json:"expired"`
	Duplicated int64 `json:"duplicated"`
	Redeemed   int64 `json:"redeemed"`
	Lost       int64 `json:"lost"`
	Skipped    int64 `json:"skipped"`
	Failovers  int64 `json:"failovers"`
	// AnsweredBeforeLoss counts responses whose first attempt lost its connection after the
	// gateway stored the verdict (the retry got 409 nonce_replayed; the token was then redeemed).
	AnsweredBeforeLoss int64                         `json:"answered_before_loss"`
	Killed             bool                          `json:"killed"`
	Warmup             int                           `json:"warmup"`
	GatewayCPU         float64                       `json:"gateway_cpu_s,omitempty"`
	PerCPUSecond       float64                       `json:"verified_per_gateway_cpu_s,omitempty"`
	Errors             int64                         `json:"errors"`
	PrepareSecond      float64                       `json:"prepare_s"`
	MeasureSecond      float64                       `json:"measure_s"`
	FlowsPerS          float64                       `json:"flows_per_s"`
	Latency            map[string]map[string]float64 `json:"latency_ms"`
}

func main() {
	gateways := flag.String("gateway", "http://127.0.0.1:8090", "gateway base URL(s), comma-separated: flows are spread round-robin")
	origin := flag.String("origin", "http://localhost:8080", "Origin header for check creation (one of the site's allowed origins)")
	site := flag.String("site", "demo-shop", "site id")
	minAge := flag.Int("min-age", 18, "minimum age asked")
	credPath := flag.String("credential", "", "credential file")
	holderPath := flag.String("holder", "", "holder file")
	keys := flag.String("keys", "", "key directory with pk.bin (default: fetch from the gateway)")
	flows := flag.Int("flows", 200, "number of flows")
	duration := flag.Duration("duration", 2*time.Minute, "stop the measured phase after this long")
	concurrency := flag.Int("concurrency", 8, "workers in the measured phase")
	replay := flag.Bool("replay", true, "post every response a second time; an accepted replay counts as duplicated")
	crossNode := flag.Bool("cross-node", false, "post each response and redeem each token on a different gateway than the one that created the check")
	rate := flag.Float64("rate", 0, "at most this many flows per second in the measured phase (0: as fast as the workers go)")
	killPID := flag.Int("kill-pid", 0, "SIGKILL this process (a gateway) during the measured phase")
	killAfter := flag.Int("kill-after", 0, "with --kill-pid: after this many flows of the measured phase have started")
	cpuPID := flag.Int("cpu-pid", 0, "report the CPU time (user+system, /proc/PID/stat) this process (a gateway on this machine) used during the measured phase")
	warmup := flag.Int("warmup", 0, "answer this many of the prepared flows untimed before the measured phase (counted, not timed)")
	flag.Parse()
	logger.Disable() // gnark logs every proof on stdout, where the report goes
	// The default transport keeps 2 idle connections per host: far fewer than the workers.
	oid4vp.Client.Transport = &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 128, IdleConnTimeout: 30 * time.Second}
	if *credPath == "" || *holderPath == "" {
		fmt.Fprintln(os.Stderr, "agegate-load: --credential and --holder are required")
		os.Exit(2)
	}
	cred, err1 := os.ReadFile(*credPath)
	holder, err2 := os.ReadFile(*holderPath)
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "agegate-load: cannot read the credential or holder file")
		os.Exit(2)
	}
	urls := strings.Split(*gateways, ",")
	lat := &latencies{d: map[string][]time.Duration{}}
	var rep Report
	rep.Flows = *flows

	// Phase 1: create and prove.
	start := time.Now()
	var prover *zk.Prover
	var trustJSON []byte
	prepared := make([]*flow, 0, *flows)
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	var setupOnce sync.Once
	var setupErr error
	for w := 0; w < runtime.NumCPU(); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				gw := urls[i%len(urls)]
				f, err := create(gw, *origin, *site, *minAge, lat)
				if err != nil {
					atomic.AddInt64(&rep.Errors, 1)
					fmt.Fprintln(os.Stderr, "create:", err)
					continue
				}
				atomic.AddInt64(&rep.Created, 1)
				setupOnce.Do(func() {
					reqURI := f.ro.AgeGate.TrustListURI
					if trustJSON, setupErr = oid4vp.Fetch(reqURI, reqURI); setupErr != nil {
						return
					}
					var pk []byte
					if *keys != "" {
						pk, setupErr = os.ReadFile(strings.TrimRight(*keys, "/") + "/" + zk.ProvingKeyFile)
					} else {
						pk, setupErr = oid4vp.Fetch(f.ro.AgeGate.ProvingKeyURI, f.ro.AgeGate.ProvingKeyURI)
					}
					if setupErr == nil {
						prover, setupErr = zk.NewProver(pk)
					}
				})
				if setupErr != nil {
					fmt.Fprintln(os.Stderr, "agegate-load: trust list or proving key:", setupErr)
					os.Exit(1)
				}
				if f.vpToken, err = oid4vp.Prove(prover, f.ro, cred, holder, trustJSON); err != nil {
					atomic.AddInt64(&rep.Errors, 1)
					fmt.Fprintln(os.Stderr, "prove:", err)
					continue
				}
				mu.Lock()
				prepared = append(prepared, f)
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < *flows; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	rep.PrepareSecond = time.Since(start).Seconds()

	// Phase 2: answer and redeem. The first --warmup flows are answered untimed (the
	// gateway's JIT warms up on them); the rest are timed.
	nWarm := *warmup
	if nWarm > len(prepared) {
		nWarm = len(prepared)
	}
	run := func(flows []*flow, l *latencies, deadline time.Time, rate float64, kill bool) {
		work := make(chan *flow)
		for w := 0; w < *concurrency; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for f := range work {
					if time.Now().After(deadline) {
						atomic.AddInt64(&rep.Skipped, 1)
						continue
					}
					if !answer(f, urls, *crossNode, *replay, l, &rep) {
						atomic.AddInt64(&rep.Lost, 1)
					}
				}
			}()
		}
		var tick <-chan time.Time
		if rate > 0 {
			t := time.NewTicker(time.Duration(float64(time.Second) / rate))
			defer t.Stop()
			tick = t.C
		}
		for i, f := range flows {
			if kill && *killPID > 0 && i == *killAfter {
				if err := syscall.Kill(*killPID, syscall.SIGKILL); err != nil {
					fmt.Fprintln(os.Stderr, "agegate-load: kill:", err)
				} else {
					rep.Killed = true
				}
			}
			if tick != nil {
				<-tick
			}
			work <- f
		}
		close(work)
		wg.Wait()
	}
	run(prepared[:nWarm], &latencies{d: map[string][]time.Duration{}}, time.Now().Add(*duration), 0, false)
	rep.Warmup = nWarm
	verifiedBefore := rep.Verified
	measured := &latencies{d: map[string][]time.Duration{}}
	cpu0 := cpuSeconds(*cpuPID)
	start = time.Now()
	run(prepared[nWarm:], measured, start.Add(*duration), *rate, true)
	rep.MeasureSecond = time.Since(start).Seconds()
	if *cpuPID > 0 && !rep.Killed {
		rep.GatewayCPU = cpuSeconds(*cpuPID) - cpu0
		if rep.GatewayCPU > 0 {
			rep.PerCPUSecond = float64(rep.Verified-verifiedBefore) / rep.GatewayCPU
		}
	}
	if rep.MeasureSecond > 0 {
		rep.FlowsPerS = float64(rep.Verified-verifiedBefore) / rep.MeasureSecond
	}
	for ep, ds := range measured.d {
		lat.d[ep] = ds
	}
	rep.Latency = map[string]map[string]float64{}
	for ep, ds := range lat.d {
		rep.Latency[ep] = map[string]float64{"p50": percentile(ds, 0.50), "p99": percentile(ds, 0.99), "n": float64(len(ds))}
	}
	out, _ := json.MarshalIndent(rep, "", "  ")
	fmt.Println(string(out))
	if rep.Duplicated > 0 || rep.Lost > 0 {
		os.Exit(1)
	}
}

// cpuSeconds is the user+system CPU time of a process from /proc/PID/stat (0 if unreadable).
func cpuSeconds(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	var ut, st float64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

// other picks a gateway different from gw when there is one.
func other(urls []string, gw string) string {
	for _, u := range urls {
		if u != gw {
			return u
		}
	}
	return gw
}

func create(gw, origin, site string, minAge int, lat *latencies) (*flow, error) {
	verifier := make([]byte, 32)
	rand.Read(verifier)
	v := base64.RawURLEncoding.EncodeToString(verifier)
	ch := sha256.Sum256([]byte(v))
	body, _ := json.Marshal(map[string]any{"site": site, "min_age": minAge,
		"code_challenge": base64.RawURLEncoding.EncodeToString(ch[:]), "code_challenge_method": "S256"})
	req, _ := http.NewRequest(http.MethodPost, gw+"/v1/checks", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", origin)
	t := time.Now()
	resp, err := oid4vp.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	lat.add("POST /v1/checks", time.Since(t))
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusCreated {
		return nil, fmt.Errorf("%d %s", resp.StatusCode, b)
	}
	var created struct {
		TransactionID string `json:"transaction_id"`
		RequestURI    string `json:"request_uri"`
		WalletLink    string `json:"wallet_link"`
	}
	if err := json.Unmarshal(b, &created); err != nil {
		return nil, err
	}
	link := created.RequestURI
	if link == "" {
		link = created.WalletLink
	}
	reqURI, clientID, err := oid4vp.ParseLink(link)
	if err != nil {
		return nil, err
	}
	t = time.Now()
	ro, err := oid4vp.FetchRequestObject(reqURI, clientID)
	if err != nil {
		return nil, err
	}
	lat.add("GET /v1/requests (with JWKS)", time.Since(t))
	return &flow{gateway: gw, tx: created.TransactionID, verifier: v, ro: ro}, nil
}

// on returns u with its scheme and host replaced by the gateway's: the path is the resource.
func on(gw, u string) string {
	p, err := url.Parse(u)
	g, err2 := url.Parse(gw)
	if err != nil || err2 != nil {
		return u
	}
	p.Scheme, p.Host = g.Scheme, g.Host
	return p.String()
}

// order lists the gateways to try for a request: first, then the others in turn.
func order(urls []string, first string) []string {
	out := []string{first}
	for _, u := range urls {
		if u != first {
			out = append(out, u)
		}
	}
	return out
}

// postResponse posts the response as a wallet behind a load balancer does: to the first
// gateway that can be reached, each tried as oid4vp.PostRetrying does (a lost connection or a
// 503 retried on the same URI). lost reports that some attempt lost its connection.
func postResponse(ro oid4vp.RequestObject, vpToken string, gws []string, rep *Report) (int, string, bool, error) {
	var err error
	lost := false
	for i, gw := range gws {
		ro.ResponseURI = on(gw, ro.ResponseURI)
		var status int
		var body string
		var l bool
		status, body, l, err = oid4vp.PostRetrying(&ro, vpToken, 3, time.Sleep)
		lost = lost || l
		if err == nil {
			if i > 0 {
				atomic.AddInt64(&rep.Failovers, 1)
			}
			return status, body, lost, nil
		}
		lost = true
	}
	return 0, "", lost, err
}

// redeem posts the code verifier to the first gateway that can be reached.
func redeem(f *flow, gws []string, rep *Report) (int, error) {
	tokenBody, _ := json.Marshal(map[string]string{"code_verifier": f.verifier})
	var err error
	for i, gw := range gws {
		var resp *http.Response
		resp, err = oid4vp.Client.Post(gw+"/v1/checks/"+f.tx+"/token", "application/json", strings.NewReader(string(tokenBody)))
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if i > 0 {
				atomic.AddInt64(&rep.Failovers, 1)
			}
			f.redeemed = fmt.Sprintf("%s attempt %d: %d %s", gw, i+1, resp.StatusCode, body)
			return resp.StatusCode, nil
		}
		f.redeemed = fmt.Sprintf("%s attempt %d: %v", gw, i+1, err)
	}
	return 0, err
}

// answer posts one prepared response (and its replay) and redeems the token (and
// tries a second redemption on another gateway). It returns whether the flow
// completed: verified once and its token issued once.
func answer(f *flow, urls []string, crossNode, replay bool, lat *latencies, rep *Report) bool {
	first := f.gateway
	if crossNode {
		first = other(urls, f.gateway)
	}
	gws := order(urls, first)
	t := time.Now()
	status, body, lost, err := postResponse(*f.ro, f.vpToken, gws, rep)
	if err != nil {
		atomic.AddInt64(&rep.Errors, 1)
		return false
	}
	lat.add("POST /v1/responses", time.Since(t))
	switch {
	case status/100 == 2:
		atomic.AddInt64(&rep.Verified, 1)
	case lost && status == http.StatusConflict && strings.Contains(body, "nonce_replayed"):
		// An attempt lost its connection after its gateway had stored the verdict (then killed):
		// the retry is told the check has its response. The redemption below says whether
		// the flow completed.
		atomic.AddInt64(&rep.Verified, 1)
		atomic.AddInt64(&rep.AnsweredBeforeLoss, 1)
	case strings.Contains(body, "expired"):
		atomic.AddInt64(&rep.Expired, 1)
		return false
	case status/100 == 4:
		atomic.AddInt64(&rep.Rejected, 1)
		return false
	default:
		atomic.AddInt64(&rep.Errors, 1)
		return false
	}
	if replay {
		if s, _, _, err := postResponse(*f.ro, f.vpToken, order(urls, other(urls, gws[0])), rep); err == nil && s/100 == 2 {
			atomic.AddInt64(&rep.Duplicated, 1)
		}
	}
	t = time.Now()
	code, err := redeem(f, gws, rep)
	if err != nil || code/100 != 2 {
		// what a lost flow's redemption was last told (a problem document: no personal data)
		fmt.Fprintf(os.Stderr, "redemption failed, after %d failovers so far: %s\n", atomic.LoadInt64(&rep.Failovers), f.redeemed)
		atomic.AddInt64(&rep.Errors, 1)
		return false
	}
	lat.add("POST /v1/checks/{tx}/token", time.Since(t))
	atomic.AddInt64(&rep.Redeemed, 1)
	if replay {
		if c, err := redeem(f, order(urls, other(urls, gws[0])), rep); err == nil && c/100 == 2 {
			atomic.AddInt64(&rep.Duplicated, 1)
		}
	}
	return true
}
