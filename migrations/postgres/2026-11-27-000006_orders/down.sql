DROP TABLE order_records;
DROP TABLE receipt_allocations;
DROP TABLE receipts;
DROP TABLE payment_installments;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE order_numbers;
DROP TABLE products;
