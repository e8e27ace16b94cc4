"""The file layers over the engine, ported from CPython's io: raw (FileIO), buffered,
text, and AsyncFile and open() over them. It imports the engine, nothing of os or the
top level."""
