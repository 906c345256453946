// A thin RAII layer over the SQLite C API: a connection and prepared
// statements with typed bind/column helpers. Errors throw SqliteError with
// SQLite's message and result code (SQLITE_FULL, SQLITE_READONLY, ...), so
// callers can tell a full disk from a bug.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::store {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(const std::string& what, int code) : std::runtime_error(what), code_(code) {}
  int code() const { return code_ & 0xff; }  // the primary result code
  int extended_code() const { return code_; }

 private:
  int code_;
};

class Db {
 public:
  explicit Db(const std::string& path, bool read_only = false) {
    int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    flags |= SQLITE_OPEN_NOMUTEX;  // each connection is used under its owner's lock
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      int code = db_ ? sqlite3_extended_errcode(db_) : SQLITE_NOMEM;
      sqlite3_close(db_);
      throw SqliteError("cannot open database " + path + ": " + msg, code);
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err); rc != SQLITE_OK) {
      std::string msg = err ? err : "unknown error";
      sqlite3_free(err);
      throw SqliteError("sqlite: " + msg + " in: " + sql.substr(0, 80), sqlite3_extended_errcode(db_));
    }
  }
  sqlite3* get() const { return db_; }
  // False outside a transaction, including after SQLite rolled one back on
  // its own (as it does on SQLITE_FULL): ROLLBACK then would fail.
  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
  std::int64_t changes() const { return sqlite3_changes64(db_); }

 private:
  sqlite3* db_ = nullptr;
};

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql) : db_(db.get()) {
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) !=
        SQLITE_OK)
      throw SqliteError(std::string("sqlite prepare: ") + sqlite3_errmsg(db_), sqlite3_extended_errcode(db_));
  }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
  Stmt& bind(int i, double v) { return check(sqlite3_bind_double(stmt_, i, v)); }
  Stmt& bind(int i, std::string_view v) {
    return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
  }
  Stmt& bind_blob(int i, std::string_view v) {
    return check(sqlite3_bind_blob64(stmt_, i, v.data(), v.size(), SQLITE_STATIC));  // caller keeps v alive until run()
  }
  Stmt& bind_null(int i) { return check(sqlite3_bind_null(stmt_, i)); }

  // True while a row is available.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw SqliteError(std::string("sqlite step: ") + sqlite3_errmsg(db_), rc);
  }
  // Steps to the end and resets; a failed step resets too, so a persistent
  // statement is usable again after an error (a full disk, say).
  void run() {
    try {
      while (step()) {
      }
    } catch (...) {
      reset();
      throw;
    }
    reset();
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::int64_t i64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double f64(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::string_view blob(int col) const {
    auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string_view();
  }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  Stmt& check(int rc) {
    if (rc != SQLITE_OK) throw SqliteError(std::string("sqlite bind: ") + sqlite3_errmsg(db_), rc);
    return *this;
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace vigil::store
