-- A GluteCoach history database at schema 1 (before prompts.delivered), as `sqlite3 .dump` writes
-- it, with a few rows in every table. test_migrations.py builds a real file from it and opens it
-- with the current code. Instants are naive UTC, as the store writes them.
PRAGMA journal_mode = WAL;
PRAGMA user_version = 1;
BEGIN TRANSACTION;
CREATE TABLE stretches (
	id INTEGER NOT NULL, 
	start_utc DATETIME NOT NULL, 
	end_utc DATETIME, 
	tz VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO stretches VALUES(1,'2026-11-23 08:00:00.000000','2026-11-23 08:31:00.000000','Europe/Berlin','coach');
INSERT INTO stretches VALUES(2,'2026-11-23 08:34:30.000000','2026-11-23 09:20:00.000000','Europe/Berlin','simulate');
INSERT INTO stretches VALUES(3,'2026-11-24 13:05:00.250000',NULL,'America/New_York','coach');
CREATE TABLE breaks (
	id INTEGER NOT NULL, 
	start_utc DATETIME NOT NULL, 
	became_utc DATETIME NOT NULL, 
	end_utc DATETIME, 
	kind VARCHAR NOT NULL, 
	reason VARCHAR NOT NULL, 
	tz VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO breaks VALUES(1,'2026-11-23 08:31:00.000000','2026-11-23 08:34:00.000000','2026-11-23 08:34:30.000000','prompted','idle','Europe/Berlin','coach');
INSERT INTO breaks VALUES(2,'2026-11-23 09:20:00.000000','2026-11-23 09:20:40.000000','2026-11-23 10:02:00.000000','natural','lock','Europe/Berlin','simulate');
CREATE TABLE prompts (
	id INTEGER NOT NULL, 
	shown_utc DATETIME NOT NULL, 
	due_utc DATETIME NOT NULL, 
	outcome VARCHAR NOT NULL, 
	auto BOOLEAN NOT NULL, 
	answered_utc DATETIME, 
	snoozes INTEGER NOT NULL, 
	exercise VARCHAR, 
	tz VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO prompts VALUES(1,'2026-11-23 08:30:00.000000','2026-11-23 08:30:00.000000','done',1,'2026-11-23 08:34:00.000000',0,'clamshell','Europe/Berlin','coach');
INSERT INTO prompts VALUES(2,'2026-11-23 09:04:30.000000','2026-11-23 09:04:30.000000','snoozed',0,'2026-11-23 09:05:10.000000',0,'seated-squeeze','Europe/Berlin','coach');
INSERT INTO prompts VALUES(3,'2026-11-23 09:15:10.000000','2026-11-23 09:15:10.000000','skipped',0,'2026-11-23 09:16:00.000000',1,NULL,'Europe/Berlin','coach');
INSERT INTO prompts VALUES(4,'2026-11-24 13:35:07.500000','2026-11-24 13:35:00.250000','pending',0,NULL,0,'glute-bridge','America/New_York','coach');
CREATE TABLE exercise_log (
	id INTEGER NOT NULL, 
	prompt_id INTEGER, 
	at_utc DATETIME NOT NULL, 
	exercise VARCHAR NOT NULL, 
	seconds FLOAT, 
	feedback VARCHAR, 
	tz VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(prompt_id) REFERENCES prompts (id)
);
INSERT INTO exercise_log VALUES(1,1,'2026-11-23 08:34:00.000000','clamshell',45.0,'right','Europe/Berlin');
INSERT INTO exercise_log VALUES(2,NULL,'2026-11-23 10:10:00.000000','glute-bridge',NULL,NULL,'Europe/Berlin');
CREATE INDEX ix_stretches_start_utc ON stretches (start_utc);
CREATE INDEX ix_breaks_start_utc ON breaks (start_utc);
CREATE INDEX ix_prompts_shown_utc ON prompts (shown_utc);
CREATE INDEX ix_exercise_log_prompt_id ON exercise_log (prompt_id);
CREATE INDEX ix_exercise_log_at_utc ON exercise_log (at_utc);
COMMIT;
