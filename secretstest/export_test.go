package secretstest

// InFlight reports how many handlers are running, for tests that must see a request abandoned.
func (s *Server) InFlight() int64 { return s.inflight.Load() }
