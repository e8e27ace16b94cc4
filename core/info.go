package core

// BackendInfo says which machinery an engine uses and what it found.
type BackendInfo struct {
	Platform      string   `json:"platform"`
	Backend       string   `json:"backend"`
	IsTrulyAsync  bool     `json:"is_truly_async"`
	SetupFlags    []string `json:"setup_flags,omitempty"`
	SQPollWanted  bool     `json:"sqpoll_requested"`
	SQPollGranted bool     `json:"sqpoll_granted"`
	NativeOps     []string `json:"native_ops"`
	WorkerOps     []string `json:"worker_ops"`
	DirectFiles   bool     `json:"direct_descriptors"`
	QueueDepth    int      `json:"queue_depth"`
	// QuietWakeUps: what an inline exchange leaves in flight costs no wake-up of its
	// own (io_uring reads IORING_SQ_TASKRUN instead of signalling: taskRunVisible).
	QuietWakeUps   bool   `json:"quiet_wakeups"`
	Workers        int    `json:"workers,omitempty"`
	FallbackReason string `json:"fallback_reason,omitempty"`
}
