"""Builds www/demo.db, the database the explorer opens when no data is named.

It is a slice of Chinook (MIT licence, (c) Luis Rocha; see ../shared/data/SOURCES.md):
the first 40 artists with their albums and tracks, genres and media types, plus
a view and an FTS5 index, so every part of the UI has something to show while
the file stays small enough to precache. The output is committed; run this
only to change it:  python3 tools/make-demo-db.py ../shared/data/sqlite/Chinook_Sqlite.sqlite
"""
import os
import sqlite3
import sys

source = sys.argv[1]
target = os.path.join(os.path.dirname(__file__), "..", "www", "demo.db")
if os.path.exists(target):
    os.remove(target)
db = sqlite3.connect(target)
db.execute("ATTACH ? AS src", (source,))
db.executescript("""
CREATE TABLE Artist (ArtistId INTEGER PRIMARY KEY, Name TEXT);
CREATE TABLE Genre (GenreId INTEGER PRIMARY KEY, Name TEXT);
CREATE TABLE MediaType (MediaTypeId INTEGER PRIMARY KEY, Name TEXT);
CREATE TABLE Album (
  AlbumId INTEGER PRIMARY KEY, Title TEXT NOT NULL,
  ArtistId INTEGER NOT NULL REFERENCES Artist(ArtistId));
CREATE TABLE Track (
  TrackId INTEGER PRIMARY KEY, Name TEXT NOT NULL,
  AlbumId INTEGER REFERENCES Album(AlbumId),
  MediaTypeId INTEGER NOT NULL REFERENCES MediaType(MediaTypeId),
  GenreId INTEGER REFERENCES Genre(GenreId),
  Composer TEXT, Milliseconds INTEGER NOT NULL, Bytes INTEGER, UnitPrice REAL NOT NULL);
INSERT INTO Artist SELECT ArtistId, Name FROM src.Artist WHERE ArtistId <= 40;
INSERT INTO Genre SELECT GenreId, Name FROM src.Genre;
INSERT INTO MediaType SELECT MediaTypeId, Name FROM src.MediaType;
INSERT INTO Album SELECT AlbumId, Title, ArtistId FROM src.Album WHERE ArtistId <= 40;
INSERT INTO Track SELECT TrackId, Name, AlbumId, MediaTypeId, GenreId, Composer, Milliseconds, Bytes, UnitPrice
  FROM src.Track WHERE AlbumId IN (SELECT AlbumId FROM Album);
CREATE INDEX TrackAlbum ON Track(AlbumId);
CREATE INDEX AlbumArtist ON Album(ArtistId);
CREATE VIEW AlbumLength AS
  SELECT Album.Title AS Album, Artist.Name AS Artist, count(*) AS Tracks,
         round(sum(Track.Milliseconds) / 60000.0, 1) AS Minutes
  FROM Track JOIN Album USING (AlbumId) JOIN Artist USING (ArtistId)
  GROUP BY AlbumId;
CREATE VIRTUAL TABLE Track_fts USING fts5(Name, Composer, content='Track', content_rowid='TrackId');
INSERT INTO Track_fts(rowid, Name, Composer) SELECT TrackId, Name, Composer FROM Track;
""")
db.commit()
db.execute("DETACH src")
db.execute("VACUUM")
db.close()
print(target, os.path.getsize(target), "bytes")
