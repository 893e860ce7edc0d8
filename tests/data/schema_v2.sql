-- A GluteCoach history database at schema 2 (before prompts.plan_json and the levels table), as
-- a fresh schema-2 database is made by create_all, with a few rows in every table.
-- test_migrations.py builds a real file from it and opens it with the current code.
PRAGMA user_version = 2;
BEGIN TRANSACTION;
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
INSERT INTO "breaks" VALUES(1,'2026-11-30 08:31:00.000000','2026-11-30 08:34:00.000000','2026-11-30 08:34:30.000000','prompted','idle','Europe/Berlin','coach');
INSERT INTO "breaks" VALUES(2,'2026-11-30 10:20:00.000000','2026-11-30 10:20:40.000000','2026-11-30 11:02:00.000000','natural','lock','Europe/Berlin','simulate');
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
INSERT INTO "exercise_log" VALUES(1,1,'2026-11-30 08:34:00.000000','hip-hitch',60.0,'hard','Europe/Berlin');
INSERT INTO "exercise_log" VALUES(2,3,'2026-11-30 09:44:00.000000','seated-knee-lift',NULL,NULL,'Europe/Berlin');
CREATE TABLE prompts (
	id INTEGER NOT NULL, 
	shown_utc DATETIME NOT NULL, 
	due_utc DATETIME NOT NULL, 
	outcome VARCHAR NOT NULL, 
	auto BOOLEAN NOT NULL, 
	answered_utc DATETIME, 
	snoozes INTEGER NOT NULL, 
	exercise VARCHAR, 
	delivered BOOLEAN, 
	tz VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "prompts" VALUES(1,'2026-11-30 08:30:00.000000','2026-11-30 08:30:00.000000','done',0,'2026-11-30 08:34:00.000000',0,'hip-hitch',1,'Europe/Berlin','coach');
INSERT INTO "prompts" VALUES(2,'2026-11-30 09:05:00.000000','2026-11-30 09:05:00.000000','skipped',0,'2026-11-30 09:06:00.000000',0,'standing-glute-squeeze',0,'Europe/Berlin','coach');
INSERT INTO "prompts" VALUES(3,'2026-11-30 09:40:00.000000','2026-11-30 09:40:00.000000','done',1,'2026-11-30 09:44:00.000000',0,'seated-knee-lift',NULL,'Europe/Berlin','coach');
INSERT INTO "prompts" VALUES(4,'2026-11-30 13:35:07.500000','2026-11-30 13:35:00.250000','pending',0,NULL,0,NULL,1,'Europe/Berlin','coach');
CREATE TABLE stretches (
	id INTEGER NOT NULL, 
	start_utc DATETIME NOT NULL, 
	end_utc DATETIME, 
	tz VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
INSERT INTO "stretches" VALUES(1,'2026-11-30 08:00:00.000000','2026-11-30 08:31:00.000000','Europe/Berlin','coach');
INSERT INTO "stretches" VALUES(2,'2026-11-30 08:34:30.000000',NULL,'Europe/Berlin','coach');
CREATE INDEX ix_stretches_start_utc ON stretches (start_utc);
CREATE INDEX ix_breaks_start_utc ON breaks (start_utc);
CREATE INDEX ix_prompts_shown_utc ON prompts (shown_utc);
CREATE INDEX ix_exercise_log_at_utc ON exercise_log (at_utc);
CREATE INDEX ix_exercise_log_prompt_id ON exercise_log (prompt_id);
COMMIT;
