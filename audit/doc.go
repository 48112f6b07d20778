// Package audit is smartd's audit trail: a record of every FHIR access
// (allowed or refused) and of every login, authorization and token
// decision, kept in its own bbolt file (data/audit.db), queryable by an
// administrator, and exportable as FHIR R4 AuditEvent resources
// (R4 §6.4 AuditEvent, http://hl7.org/fhir/R4/auditevent.html).
//
// # Basics
//
// [Open] opens the file and starts one writer goroutine. [Log.Record] is
// what the request path calls: it copies the [Record] into a bounded
// queue and returns at once (about 0.1-0.2 µs, no allocation). The writer
// is not parked on the queue, which would make every Record wake a
// goroutine: it wakes every [Options.FlushInterval], or when Record sees
// [Options.BatchSize] records waiting, and writes everything queued in
// one bbolt Update (one fsync); the slower the disk, the more records each
// fsync carries. One fsync per request
// would cap a server at a few thousand requests per second; one per batch
// costs nothing per request.
//
// When the queue is full, Record drops the record and counts it
// ([Log.Dropped]) rather than block: an audit trail that slows clinical
// reads when the disk stalls is worse than one that reports a gap. The
// queue (8192 records by default) holds seconds of traffic, so drops
// mean the disk has stalled, and a server should export the count as a
// metric.
//
// [Log.Flush] writes everything recorded before it was called;
// [Log.Close] flushes, stops the writer and closes the file. Call Close
// after the HTTP server has stopped: a Record racing with Close may be
// lost, and a Record after Close is counted as dropped.
//
// Records are stored in a compact binary form (see codec.go), which
// encodes and decodes in a fraction of the time of JSON; the JSON of
// [Record] is what the admin API and `smartd audit -json` show.
//
// Records older than [Options.Retention] (90 days by default) are deleted
// at Open and every hour after, by a second goroutine, in transactions of
// a few thousand records so that request records keep flowing meanwhile.
//
// [Log.Query] returns records newest first, filtered by time, client,
// user, patient, kind, outcome and resource type, with a cursor for the
// next page. Keys are the record's time in big-endian Unix nanoseconds
// followed by a sequence number, so the scan is a walk backwards through
// one B+tree; a second bucket indexes records by client_id, for an app's
// page of "recent authorizations and errors".
//
// [Record.AuditEvent] renders a record as an R4 AuditEvent, and [Bundle]
// a page of them as a collection Bundle.
//
// # Caveats
//
// A record lives only in the queue until its batch commits: a crash loses
// up to FlushInterval of records (or the whole queue if the disk stalled).
// A failed write is logged, and its records are counted as failed
// ([Stats]), not retried.
//
// The file never shrinks (a bbolt property): pruning frees pages for new
// records, so the file settles at about Retention's worth of records.
//
// A query scans at most 100,000 records per call: a page may hold fewer
// records than its limit even when more match further back, with a next
// cursor to continue from. The client_id index makes a client's records
// cheap to find; other filters are checked record by record.
//
// String fields are cut to 1 KiB (the query string to 4 KiB) so that a
// hostile URL cannot grow the file by more than that per request.
package audit
