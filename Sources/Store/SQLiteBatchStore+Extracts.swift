import GRDB

/// Extract generations: loaded in batches, published at once, retired, dropped at the next load.
extension SQLiteBatchStore {
    public func beginExtract(_ extract: ExtractGeneration) async throws(StoreError) -> ExtractGeneration {
        try await write("begin loading \(extract.file)") { db in
            for id in try Int64.fetchAll(
                db, sql: "SELECT id FROM extract_generations WHERE adapter = ? AND name = ? AND current = 0", arguments: [extract.adapter, extract.name])
            {
                try Self.dropGeneration(id, in: db)
            }
            try db.execute(
                sql: "INSERT INTO extract_generations (adapter, name, file, as_of, record_count, loaded_at, current) VALUES (?, ?, ?, ?, 0, ?, 0)",
                arguments: [extract.adapter, extract.name, extract.file, extract.asOf, extract.loadedAt])
            var begun = extract
            begun.id = db.lastInsertedRowID
            return begun
        }
    }

    public func addExtractRecords(_ records: [ExtractRecord], to extract: ExtractGeneration) async throws(StoreError) {
        try await write("load \(extract.file)") { db in
            let insert = try db.cachedStatement(sql: "INSERT INTO extract_records (generation, record_key, record) VALUES (?, ?, ?)")
            let filter = try db.cachedStatement(sql: "INSERT INTO extract_filters (generation, field, value, record_key) VALUES (?, ?, ?, ?)")
            for record in records {
                try insert.execute(arguments: [extract.id, record.key, record.json])
                for (field, value) in record.filters { try filter.execute(arguments: [extract.id, field, value, record.key]) }
            }
        }
    }

    public func publishExtract(_ extract: ExtractGeneration, file: HandledFile) async throws(StoreError) {
        try await write("publish \(extract.file)") { db in
            // The previous generation is retired, not dropped: a lookup that started on it still
            // finds its record. It is dropped when the next extract begins loading.
            try db.execute(
                sql: "UPDATE extract_generations SET current = 0 WHERE adapter = ? AND name = ? AND current = 1",
                arguments: [extract.adapter, extract.name])
            try db.execute(
                sql: "UPDATE extract_generations SET current = 1, record_count = ?, as_of = ? WHERE id = ?",
                arguments: [extract.recordCount, extract.asOf, extract.id])
            try Self.save(file, in: db)
        }
    }

    public func discardExtract(_ extract: ExtractGeneration, file: HandledFile) async throws(StoreError) {
        try await write("discard \(extract.file)") { db in
            try Self.dropGeneration(extract.id, in: db)
            try Self.save(file, in: db)
        }
    }

    public func currentExtract(adapter: String, name: String) async throws(StoreError) -> ExtractGeneration? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM extract_generations WHERE adapter = ? AND name = ? AND current = 1", arguments: [adapter, name]
            ).map { row in
                ExtractGeneration(
                    id: row["id"], adapter: row["adapter"], name: row["name"], file: row["file"], asOf: row["as_of"],
                    recordCount: row["record_count"], loadedAt: row["loaded_at"])
            }
        }
    }

    public func extractRecord(_ extract: ExtractGeneration, key: String) async throws(StoreError) -> String? {
        try await read { db in
            try String.fetchOne(db, sql: "SELECT record FROM extract_records WHERE generation = ? AND record_key = ?", arguments: [extract.id, key])
        }
    }

    public func extractRecords(
        _ extract: ExtractGeneration, filters: [String: String], afterKey: String?, limit: Int
    ) async throws(StoreError) -> [(key: String, json: String)] {
        var sql = "SELECT record_key, record FROM extract_records r WHERE generation = ?"
        var arguments: StatementArguments = [extract.id]
        if let afterKey {
            sql += " AND record_key > ?"
            arguments += [afterKey]
        }
        for (field, value) in filters.sorted(by: { $0.key < $1.key }) {
            sql += " AND EXISTS (SELECT 1 FROM extract_filters f WHERE f.generation = r.generation AND f.field = ? AND f.value = ? AND f.record_key = r.record_key)"
            arguments += [field, value]
        }
        sql += " ORDER BY record_key LIMIT ?"
        arguments += [limit]
        let (query, values) = (sql, arguments)
        return try await read { db in
            try Row.fetchAll(db, sql: query, arguments: values).map { (key: $0["record_key"], json: $0["record"]) }
        }
    }

}
