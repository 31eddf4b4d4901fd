const http = require("http");
http.createServer((req, res) => res.end("hello from myapp\n")).listen(8080);
