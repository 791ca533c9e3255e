import FixedWidth
import Foundation
import GatewayCore
import Store
import Transports

extension BatchFileAdapter {
    /// Records are written to the journal in batches of this many.
    static let extractBatch = 5000

    /// Loads an extract file as a new generation, streaming: records are decoded and stored in
    /// batches (memory stays bounded whatever the size), control totals checked as the trailer
    /// arrives. Only a complete file whose totals check replaces the extract being served, in
    /// one transaction; otherwise the previous one keeps serving and the file goes to `error/`.
    func loadExtract(_ name: String, extract: BatchFileConfiguration.Extract, store: any BatchStore, fingerprint: String?) async throws {
        let path = outbox.directory + "/" + name
        guard let handle = FileHandle(forReadingAtPath: path) else { throw FileDrop.Failure(reason: .notWritable, path: path) }
        defer { try? handle.close() }
        let started = now()
        let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date) ?? Date()
        var generation = try await store.beginExtract(ExtractGeneration(
            adapter: declaration.name, name: extract.name, file: name, asOf: JobView.timestamp(Int64(modified.timeIntervalSince1970 * 1000)),
            loadedAt: started))
        var decoder = FileDecoder(layout: extract.layout)
        var reader = RecordReader(format: decoder.recordFormat) { count in
            (try handle.read(upToCount: count)).map { [UInt8]($0) } ?? []
        }
        var batch: [ExtractRecord] = []
        var seenKeys = 0
        var failure: String?
        func take(_ events: [FileDecoder.Event]) {
            for event in events where failure == nil {
                switch event {
                case .problem(let problem):
                    failure = JobFileText.problem(problem)
                case .record(let record):
                    if let asOf = extract.asOf, record.type == asOf.record, let value = record.object[asOf.field]?.scalarText {
                        generation.asOf = value
                    }
                    guard record.type == extract.record, record.output else { continue }
                    guard let key = record.object[extract.key]?.scalarText, !key.isEmpty else {
                        failure = "record \(record.number): the key \(extract.key) is empty"
                        continue
                    }
                    let filters = extract.filters.compactMap { field in record.object[field]?.scalarText.map { (field, $0) } }
                    batch.append(ExtractRecord(key: key, json: String(decoding: JSONWriter().bytes(.object(record.object)), as: UTF8.self), filters: filters))
                    seenKeys += 1
                }
            }
        }
        do {
            while failure == nil, let raw = try reader.next() {
                take(decoder.decode(raw))
                if batch.count >= Self.extractBatch {
                    try await store.addExtractRecords(batch, to: generation)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if failure == nil { take(decoder.finish()) }
            if failure == nil, !batch.isEmpty { try await store.addExtractRecords(batch, to: generation) }
            CrashPoint.midIngest.reached()
        } catch let error as StoreError where error.reason == .duplicate {
            failure = "a key appears twice in the extract (\(extract.key) must identify one record)"
        } catch let error as StoreError {
            throw error
        } catch {
            failure = "\(error)"
        }
        let file = HandledFile(
            adapter: declaration.name, name: name, outcome: failure == nil ? .archived : .rejected, reason: failure, handledAt: now(),
            fingerprint: fingerprint)
        if let failure {
            try await store.discardExtract(generation, file: file)
            try moveAway(name, outcome: .rejected, reason: failure)
            logger.error("extract rejected; the previous one keeps serving", metadata: ["file": "\(name)", "reason": "\(failure)"])
            return
        }
        generation.recordCount = seenKeys
        try await store.publishExtract(generation, file: file)
        state.withLock { $0.currentExtract = generation }
        CrashPoint.afterIngest.reached()
        try moveAway(name, outcome: .archived, reason: nil)
        state.withLock { $0.extractLoads += 1 }
        logger.info("extract loaded", metadata: [
            "file": "\(name)", "records": "\(seenKeys)", "milliseconds": "\(now() - started)",
        ])
    }
}

enum JobFileText {
    /// A decoding problem without the raw bytes (they may be personal data).
    static func problem(_ problem: FileDecoder.Problem) -> String {
        var shown = problem
        shown.hex = nil
        return shown.description
    }
}
